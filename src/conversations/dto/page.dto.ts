import { ApiProperty } from '@nestjs/swagger';

export class PageDto {
  @ApiProperty({ description: 'the Page id' }) pageId!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'when the service first met it: in an event, or as a configured token',
  })
  firstSeenAt!: string;
}

export class PageListDto {
  @ApiProperty({ type: [PageDto] }) items!: PageDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
