import { ApiProperty } from '@nestjs/swagger';
import { ReactionDto, ReactionHistoryItemDto } from '../../reactions/dto/reaction.dto';

export class CoordinatesDto {
  @ApiProperty() lat!: number;
  @ApiProperty() long!: number;
}

export class ProductElementDto {
  @ApiProperty({ nullable: true, type: String, description: 'product ID in the Facebook catalog' })
  id!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'external ID (SKU, content ID)' })
  retailerId!: string | null;
  @ApiProperty({ nullable: true, type: String }) imageUrl!: string | null;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty({ nullable: true, type: String }) subtitle!: string | null;
}

export class ProductDto {
  @ApiProperty({ type: [ProductElementDto] }) elements!: ProductElementDto[];
}

export class AttachmentDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'image, audio, video, file, location, fallback, template, ...',
  })
  type!: string | null;
  @ApiProperty({ nullable: true, type: String }) url!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'fallback attachments' })
  title!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'an image that is a sticker' })
  stickerId!: string | null;
  @ApiProperty({ nullable: true, type: CoordinatesDto, description: 'location attachments' })
  coordinates!: CoordinatesDto | null;
  @ApiProperty({ nullable: true, type: ProductDto, description: 'a shared product template' })
  product!: ProductDto | null;
}

export class MessageEditDto {
  @ApiProperty({ nullable: true, type: String, description: 'the text after this edit' })
  text!: string | null;
  @ApiProperty({ description: 'Messenger num_edit: 1 for the first edit, ...' }) numEdit!: number;
  @ApiProperty({ format: 'date-time' }) editedAt!: string;
}

export class MessageDto {
  @ApiProperty() mid!: string;
  @ApiProperty() pageId!: string;
  @ApiProperty({ description: 'the customer: a PSID, or the user_ref of a chat plugin user' })
  userId!: string;
  @ApiProperty({
    enum: ['inbound', 'outbound'],
    description: 'inbound: the customer wrote it; outbound: the Page sent it (an echo)',
  })
  direction!: 'inbound' | 'outbound';
  @ApiProperty({ format: 'date-time', description: "the event's timestamp: conversation order" })
  timestamp!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'the words as first sent (edits are listed apart); for a legacy helper reply, its original_text',
  })
  text!: string | null;
  @ApiProperty({ nullable: true, type: String }) quickReplyPayload!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the mid this message replies to' })
  replyTo!: string | null;
  @ApiProperty({ type: [AttachmentDto] }) attachments!: AttachmentDto[];
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'message.referral as received (a Facebook Shops product detail page)',
  })
  referral!: Record<string, unknown> | null;
  @ApiProperty({ type: [MessageEditDto], description: 'in num_edit order' })
  edits!: MessageEditDto[];
  @ApiProperty({ type: [ReactionDto], description: 'current reactions: an unreact removes one' })
  reactions!: ReactionDto[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'outbound only' })
  deliveredAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'outbound only' })
  readAt!: string | null;
  @ApiProperty({
    nullable: true,
    enum: ['good', 'bad'],
    description: "the customer's Good / Bad response feedback on this Page message",
  })
  responseFeedback!: 'good' | 'bad' | null;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageDto] }) items!: MessageDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class MessageDetailDto extends MessageDto {
  @ApiProperty({ type: [String], description: 'mids of the messages that reply to this one' })
  replies!: string[];
  @ApiProperty({
    type: [ReactionHistoryItemDto],
    description: 'every reaction and unreact, in time order',
  })
  reactionHistory!: ReactionHistoryItemDto[];
}
