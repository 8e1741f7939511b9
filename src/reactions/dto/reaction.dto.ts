import { ApiProperty } from '@nestjs/swagger';

/** A reaction shown on a message now. */
export class ReactionDto {
  @ApiProperty({ description: 'the customer who reacted (PSID or user_ref)' }) userId!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'smile, angry, sad, wow, love, like, dislike or other',
  })
  reaction!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '❤️' }) emoji!: string | null;
  @ApiProperty({ format: 'date-time' }) reactedAt!: string;
}

/** One reaction or unreact, as it happened. */
export class ReactionHistoryItemDto {
  @ApiProperty() userId!: string;
  @ApiProperty({ enum: ['react', 'unreact'] }) action!: 'react' | 'unreact';
  @ApiProperty({ nullable: true, type: String }) reaction!: string | null;
  @ApiProperty({ nullable: true, type: String }) emoji!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}
