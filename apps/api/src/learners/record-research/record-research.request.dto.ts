import { IsExternalId, IsInstant } from '../../http/validators';

/** R1: a clinical question researched (Internet Point of Care). */
export class RecordResearchRequestDto {
  @IsExternalId('research-2026-03-14-0001')
  researchId!: string;

  @IsInstant()
  occurredAt!: string;
}
