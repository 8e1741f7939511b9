import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PSID_PATTERN } from '../sandbox-ids';

/** Meta's longest message text. */
const TEXT_MAX = 2_000;
/** Mids are long but bounded; 1 KiB is the service's bound on ids in paths too. */
const MID_MAX = 1_024;

export class CustomerParams {
  @ApiProperty({
    description: 'the simulated customer’s PSID: letters, digits, _ or -, at most 64',
    example: '7000000000000001',
  })
  @Matches(PSID_PATTERN, { message: 'psid must be 1 to 64 letters, digits, _ or -' })
  psid!: string;
}

export const ATTACHMENT_TYPES = ['image', 'video', 'audio', 'file'] as const;

export class SandboxAttachmentDto {
  @ApiProperty({ enum: ATTACHMENT_TYPES })
  @IsIn(ATTACHMENT_TYPES)
  type!: (typeof ATTACHMENT_TYPES)[number];

  @ApiProperty({ example: 'https://example.com/photo.jpg', maxLength: 2048 })
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2048)
  url!: string;
}

export class CustomerMessageDto {
  @ApiPropertyOptional({
    maxLength: TEXT_MAX,
    description: 'required unless attachments are given',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_MAX)
  text?: string;

  @ApiPropertyOptional({
    description: 'mid of the message this one replies to',
    maxLength: MID_MAX,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MID_MAX)
  replyTo?: string;

  @ApiPropertyOptional({
    description: 'payload of the quick reply the customer tapped',
    maxLength: 1000,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  quickReplyPayload?: string;

  @ApiPropertyOptional({ type: [SandboxAttachmentDto], maxItems: 10 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => SandboxAttachmentDto)
  attachments?: SandboxAttachmentDto[];
}

export class AcceptedMessageDto {
  @ApiProperty({ description: 'the mid of the customer’s message' })
  mid!: string;
  @ApiProperty({ format: 'date-time', description: 'the event’s timestamp' })
  timestamp!: string;
}

export class AcceptedEventDto {
  @ApiProperty({ format: 'date-time', description: 'the event’s timestamp' })
  timestamp!: string;
}

export const REACTIONS = [
  'smile',
  'angry',
  'sad',
  'wow',
  'love',
  'like',
  'dislike',
  'other',
] as const;

export class CustomerReactionDto {
  @ApiProperty({ description: 'the message reacted to', maxLength: MID_MAX })
  @IsString()
  @MinLength(1)
  @MaxLength(MID_MAX)
  mid!: string;

  @ApiProperty({ enum: REACTIONS })
  @IsIn(REACTIONS)
  reaction!: (typeof REACTIONS)[number];

  @ApiProperty({ enum: ['react', 'unreact'] })
  @IsIn(['react', 'unreact'])
  action!: 'react' | 'unreact';
}

export class CustomerFeedbackDto {
  @ApiProperty({
    format: 'uuid',
    description: 'a survey sent to this customer from the sandbox Page',
  })
  @IsUUID()
  surveyId!: string;

  @ApiProperty({ description: 'the score chosen: CSAT 1–5, NPS 0–10, CES 1–7' })
  @IsInt()
  @Min(0)
  @Max(10)
  score!: number;

  @ApiPropertyOptional({
    maxLength: 400,
    description: 'the free-form follow-up, for a survey that asks one',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(400)
  followUp?: string;
}

export class AnsweredSurveyDto {
  @ApiProperty({ format: 'uuid' }) surveyId!: string;
  @ApiProperty({
    description: 'the question id the answer carries (the one the customer received)',
  })
  questionId!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export const RESPONSE_FEEDBACK = ['Good response', 'Bad response'] as const;

export class CustomerResponseFeedbackDto {
  @ApiProperty({ description: 'the Page’s message the feedback is about', maxLength: MID_MAX })
  @IsString()
  @MinLength(1)
  @MaxLength(MID_MAX)
  mid!: string;

  @ApiProperty({ enum: RESPONSE_FEEDBACK })
  @IsIn(RESPONSE_FEEDBACK)
  feedback!: (typeof RESPONSE_FEEDBACK)[number];
}

export class InboxSurveyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['csat', 'nps', 'ces'] }) type!: string;
  @ApiProperty({ description: 'as the service shows it (GET /api/surveys)' }) questionId!: string;
  @ApiProperty({ enum: ['sent', 'failed', 'responded', 'expired'] }) status!: string;
  @ApiProperty({ description: 'whether the template asks a free-form follow-up' })
  followUp!: boolean;
}

export class InboxMessageDto {
  @ApiProperty() mid!: string;
  @ApiProperty({ format: 'date-time' }) sentAt!: string;
  @ApiProperty({ enum: ['text', 'attachment', 'template', 'survey'] })
  kind!: 'text' | 'attachment' | 'template' | 'survey';
  @ApiProperty({ nullable: true, type: String }) text!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'RESPONSE' }) messagingType!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'CUSTOMER_FEEDBACK' }) tag!: string | null;
  @ApiProperty({
    nullable: true,
    type: InboxSurveyDto,
    description: 'for a Customer Feedback Template: the survey it is',
  })
  survey!: InboxSurveyDto | null;
  @ApiProperty({ type: Object, description: 'the Send API `message` as the Page sent it' })
  message!: Record<string, unknown>;
}

export class InboxDto {
  @ApiProperty({ type: [InboxMessageDto] }) items!: InboxMessageDto[];
}

export class GraphFailuresDto {
  @ApiProperty({ minimum: 1, maximum: 1000, description: 'how many Send API requests fail' })
  @IsInt()
  @Min(1)
  @Max(1000)
  count!: number;

  @ApiProperty({
    example: 551,
    description: 'Meta’s error code (1 and 2 answer HTTP 500, others 400)',
  })
  @IsInt()
  @Min(1)
  @Max(99_999_999)
  code!: number;

  @ApiPropertyOptional({ example: 1545041 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(99_999_999)
  errorSubcode?: number;

  @ApiPropertyOptional({ maxLength: 500, description: 'default: Meta’s text for the code' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  message?: string;
}

export class GraphFailuresAcceptedDto {
  @ApiProperty({ description: 'Send API requests that will fail, these included' })
  pending!: number;
}
