import { Body, Controller, Delete, HttpCode, Inject, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErasePersonalDataCommand, LEDGER_CLOCK, type Clock } from '@ledger/ledger';
import type { Request } from 'express';
import { Allow } from '../../auth/allow.decorator';
import { ApiError } from '../../http/api-error';
import { commandMetadata } from '../../http/command-context';
import { LearnerIdParam } from '../../http/route-params';
import { ErasePersonalDataRequestDto } from './erase-personal-data.request.dto';

class ErasePersonalDataResponse {
  @ApiProperty() learnerId!: string;
  @ApiProperty({
    description: 'Types of the events recorded: PersonalDataErased, or none when already erased',
    example: ['PersonalDataErased'],
  })
  recorded!: string[];
  @ApiProperty({ description: 'True when an earlier erasure had been recorded already' })
  alreadyErased!: boolean;
  @ApiProperty({ description: "The learner's key is destroyed: its personal data is unreadable" })
  keyDestroyed!: boolean;
  @ApiProperty({ nullable: true, type: String, example: '7' }) revision!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '1042' }) position!: string | null;
}

/** Crypto-shredding of a learner: ErasePersonalDataCommand, handled in the ledger library. */
@ApiTags('admin')
@Controller('v1/learners/:learnerId/personal-data')
export class ErasePersonalDataController {
  // Nest's controller wiring (a bus and the clock injected), alike in every controller.
  constructor(
    @Inject(CommandBus) private readonly commandBus: CommandBus,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
  ) {}

  @Delete()
  @HttpCode(200)
  @Allow('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      "Erase a learner's personal data: records PersonalDataErased and destroys the learner's key (crypto-shredding)",
  })
  @ApiOkResponse({ type: ErasePersonalDataResponse })
  @ApiBadRequestResponse({
    description: 'A ticket that is not a ticket id (a name, free text), or anything in the query',
  })
  @ApiNotFoundResponse({ description: 'Nothing was ever recorded for this learner' })
  @ApiUnauthorizedResponse({ description: 'No API key, or an unknown one' })
  @ApiForbiddenResponse({ description: 'Only the admin role may erase' })
  async erase(
    @LearnerIdParam() learnerId: string,
    @Body() body: ErasePersonalDataRequestDto,
    @Req() req: Request,
  ): Promise<ErasePersonalDataResponse> {
    // Nothing of an erasure goes in the URL, which access logs and proxies keep: a reason
    // sent there the way earlier versions took it is refused, not silently dropped.
    const [parameter] = Object.keys(req.query as object);
    if (parameter !== undefined) {
      const message =
        'should not exist: the erasure takes nothing in the URL (the ticket goes in the body)';
      throw new ApiError(400, 'validation-failed', `${parameter}: ${message}`, {
        errors: [{ field: parameter, message }],
      });
    }
    const outcome = await this.commandBus.execute(
      new ErasePersonalDataCommand(
        learnerId,
        {
          occurredAt: this.clock(),
          ...(body.ticket === undefined ? {} : { ticket: body.ticket }),
        },
        commandMetadata(req, `DELETE ${req.path}`),
      ),
    );
    return {
      learnerId,
      recorded: outcome.events.map((e) => e.type),
      alreadyErased: outcome.events.length === 0,
      keyDestroyed: true,
      revision: outcome.revision?.toString() ?? null,
      position: outcome.position?.toString() ?? null,
    };
  }
}
