import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from '../../common/pagination';

export class ListConversationsQuery extends ListQueryDto {
  @ApiPropertyOptional({ description: 'only this Page; default: every Page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  pageId?: string;
}

export class ConversationDto {
  @ApiProperty() pageId!: string;
  @ApiProperty({ description: 'the customer: a PSID, or the user_ref of a chat plugin user' })
  userId!: string;
  @ApiProperty({ format: 'date-time', description: 'the newest message, either direction' })
  lastMessageAt!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: "the customer's last message (the start of the messaging window)",
  })
  lastInboundAt!: string | null;
  @ApiProperty({ description: 'messages stored, both directions' }) messageCount!: number;
}

export class ConversationPageDto {
  @ApiProperty({ type: [ConversationDto] }) items!: ConversationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
