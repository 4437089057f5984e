import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiProduces,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  LeafNotFoundError,
  ProofUnavailableError,
  type ConsistencyProof,
  type InclusionProof,
  type SignedCheckpoint,
} from '@ledger/audit';
import { ApiError } from '../../http/api-error';
import { UuidParam } from '../../http/route-params';
import { AuditEndpoint } from '../audit-endpoint.decorator';
import {
  ConsistencyProofResponse,
  InclusionProofResponse,
  SignedCheckpointResponse,
} from './transparency.response';
import {
  CheckpointKeyQuery,
  ConsistencyProofQuery,
  InclusionProofQuery,
  LatestCheckpointQuery,
} from './transparency.queries';

export class TreeSizeQueryDto {
  @ApiPropertyOptional({ description: 'The checkpoint (by its tree size); default: the latest' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // A tree size is a count of events: 1e308 is an integer to JavaScript, not to the log.
  @Max(Number.MAX_SAFE_INTEGER)
  treeSize?: number;
}

export class ConsistencyQueryDto {
  @ApiProperty({ description: 'The earlier checkpoint, by its tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // A tree size is a count of events: 1e308 is an integer to JavaScript, not to the log.
  @Max(Number.MAX_SAFE_INTEGER)
  from!: number;

  @ApiPropertyOptional({
    description: 'The later checkpoint, by its tree size; default: the latest',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // A tree size is a count of events: 1e308 is an integer to JavaScript, not to the log.
  @Max(Number.MAX_SAFE_INTEGER)
  to?: number;
}

const notFound = (error: unknown): never => {
  if (error instanceof LeafNotFoundError || error instanceof ProofUnavailableError) {
    throw new ApiError(404, 'proof-unavailable', error.message);
  }
  throw error;
};

/**
 * Signed checkpoints and Merkle proofs: what an auditor checks offline with the public key
 * alone (`npm run ledger -- verify-proof`). Each a query on the QueryBus (transparency.queries).
 */
@ApiTags('audit')
@Controller('v1/audit')
export class TransparencyController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  @Get('checkpoint-key')
  @Header('content-type', 'application/x-pem-file')
  @AuditEndpoint(
    'The public key (Ed25519, SPKI PEM) that verifies every checkpoint; compare its key id with the one published out of band',
  )
  @ApiProduces('application/x-pem-file')
  @ApiOkResponse({
    description: 'The public key as PEM text (`-----BEGIN PUBLIC KEY-----` …)',
    content: {
      'application/x-pem-file': {
        schema: {
          type: 'string',
          example: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA…\n-----END PUBLIC KEY-----\n',
        },
      },
    },
  })
  publicKey(): Promise<string> {
    return this.queryBus.execute(new CheckpointKeyQuery());
  }

  @Get('checkpoints/latest')
  @AuditEndpoint("The latest signed checkpoint: the log's size, its Merkle root, signed")
  @ApiOkResponse({
    type: SignedCheckpointResponse,
    description: 'The checkpoint: tree size, root, last position, time, key id and signature',
  })
  @ApiNotFoundResponse({ description: 'No checkpoint has been signed yet' })
  latest(): Promise<SignedCheckpoint> {
    return this.queryBus.execute(new LatestCheckpointQuery()).catch(notFound);
  }

  @Get('checkpoints/consistency')
  @AuditEndpoint(
    'A consistency proof: the log of the earlier checkpoint is a prefix of the later one (nothing signed was changed or removed)',
  )
  @ApiOkResponse({
    type: ConsistencyProofResponse,
    description: 'Both signed checkpoints and the proof path (hex)',
  })
  @ApiNotFoundResponse({
    description: 'No checkpoint was signed at one of the sizes, or `from` is greater than `to`',
  })
  consistency(@Query() query: ConsistencyQueryDto): Promise<ConsistencyProof> {
    return this.queryBus.execute(new ConsistencyProofQuery(query.from, query.to)).catch(notFound);
  }

  @Get('events/:eventId/proof')
  @AuditEndpoint(
    "An event's inclusion proof against the latest signed checkpoint (or the one of treeSize): the event as stored, its leaf index, the path and the checkpoint",
  )
  @ApiOkResponse({
    type: InclusionProofResponse,
    description: 'The event as stored, its leaf index, the path (hex) and the signed checkpoint',
  })
  @ApiNotFoundResponse({
    description:
      'No such event, no checkpoint signed at treeSize (or none yet), or the event was appended after the checkpoint asked for',
  })
  proof(
    @UuidParam('eventId') eventId: string,
    @Query() query: TreeSizeQueryDto,
  ): Promise<InclusionProof> {
    return this.queryBus.execute(new InclusionProofQuery(eventId, query.treeSize)).catch(notFound);
  }
}
