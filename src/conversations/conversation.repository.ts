import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** Conversations and the Pages they belong to. */
@Injectable()
export class ConversationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** When the customer last wrote to the Page (null when never). */
  async findLastInboundAt(pageId: string, userId: string): Promise<Date | null> {
    const conversation = await this.prisma.conversation.findUnique({
      where: { pageId_userId: { pageId, userId } },
      select: { lastInboundAt: true },
    });
    return conversation?.lastInboundAt ?? null;
  }

  async listPageIds(): Promise<string[]> {
    const pages = await this.prisma.page.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    return pages.map((page) => page.id);
  }
}
