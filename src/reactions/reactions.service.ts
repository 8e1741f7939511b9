import { Injectable } from '@nestjs/common';
import { ReactionDto, ReactionHistoryItemDto } from './dto/reaction.dto';
import { ReactionRepository } from './reaction.repository';

/** What other modules may ask of reactions (the conversations read API shows them on messages). */
@Injectable()
export class ReactionsService {
  constructor(private readonly reactions: ReactionRepository) {}

  /** The current reactions of each message, by mid (messages without any are absent). */
  async currentFor(mids: string[]): Promise<Map<string, ReactionDto[]>> {
    const byMid = new Map<string, ReactionDto[]>();
    for (const row of await this.reactions.findCurrent(mids)) {
      const list = byMid.get(row.mid) ?? [];
      list.push({
        userId: row.userId,
        reaction: row.reaction,
        emoji: row.emoji,
        reactedAt: row.reactedAt.toISOString(),
      });
      byMid.set(row.mid, list);
    }
    return byMid;
  }

  async historyOf(mid: string): Promise<ReactionHistoryItemDto[]> {
    const rows = await this.reactions.findHistory(mid);
    return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
  }
}
