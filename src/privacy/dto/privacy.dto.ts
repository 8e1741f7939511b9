import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/** A Page id and a customer's id on it (a PSID, or a chat plugin user_ref). */
export class CustomerParams {
  @ApiProperty({ description: 'the Page' })
  @IsString()
  @MaxLength(128)
  @Matches(/^[^/\s]+$/, { message: 'pageId must be one path segment without spaces' })
  pageId!: string;

  @ApiProperty({ description: 'the customer: a PSID on that Page, or a user_ref' })
  @IsString()
  @MaxLength(256)
  @Matches(/^[^/\s]+$/, { message: 'userId must be one path segment without spaces' })
  userId!: string;
}

export class ErasureAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['running', 'done'] }) status!: 'running' | 'done';
}

export class ErasureDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() pageId!: string;
  @ApiProperty({ enum: ['running', 'done'] }) status!: 'running' | 'done';
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description:
      'rows removed (or, with the suffix `_anonymised`, kept without the customer) by table; ' +
      'grows while the erasure runs',
    example: { messages: 12, survey_answers_anonymised: 2, webhook_events: 14 },
  })
  erased!: Record<string, number>;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) doneAt!: string | null;
}
