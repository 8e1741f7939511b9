import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { CursorCodec } from '../common/cursor';
import { Page, toPage } from '../common/pagination';
import { ReactionsService } from '../reactions/reactions.service';
import { ConversationEventRepository, ConversationEventRow } from './conversation-event.repository';
import { ConversationRepository, ConversationRow } from './conversation.repository';
import { ConversationDto } from './dto/conversation.dto';
import { ConversationEventDto } from './dto/conversation-event.dto';
import type { PageDto } from './dto/page.dto';
import { MessageDetailDto, MessageDto } from './dto/message.dto';
import { MessageQueryRepository, MessageViewRow } from './message-query.repository';
import type { ReactionDto } from '../reactions/dto/reaction.dto';
import type { ResponseFeedbackValue } from '../events/messenger-events';
import { ResponseFeedbackService } from '../response-feedback/response-feedback.service';

/** Conversations, newest first: (lastMessageAt, conversation id). */
const CONVERSATION_CURSOR = new CursorCodec(['instant', 'id']);
/** A conversation's messages, oldest first: (sentAt, mid). */
const MESSAGE_CURSOR = new CursorCodec(['instant', 'text']);
/** A conversation's or a Page's events, oldest first: (occurredAt, event id). */
const EVENT_CURSOR = new CursorCodec(['instant', 'id']);

/** Pages, by id: (Page id). */
const PAGE_CURSOR = new CursorCodec(['text']);

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function toConversationDto(row: ConversationRow): ConversationDto {
  return {
    pageId: row.pageId,
    userId: row.userId,
    lastMessageAt: row.lastMessageAt.toISOString(),
    lastInboundAt: iso(row.lastInboundAt),
    messageCount: row.messageCount,
  };
}

function toMessageDto(
  row: MessageViewRow,
  reactions: ReactionDto[],
  responseFeedback: ResponseFeedbackValue | null,
): MessageDto {
  return {
    mid: row.mid,
    pageId: row.pageId,
    userId: row.userId,
    direction: row.direction,
    timestamp: row.sentAt.toISOString(),
    text: row.text,
    quickReplyPayload: row.quickReplyPayload,
    replyTo: row.replyTo,
    // The stored attachment also keeps Meta's raw payload; the API shows the fields it names.
    attachments: row.attachments.map(({ type, url, title, stickerId, coordinates, product }) => ({
      type,
      url,
      title,
      stickerId,
      coordinates,
      product,
    })),
    referral: row.referral,
    edits: (row.edits ?? []).map((edit) => ({
      text: edit.text,
      numEdit: edit.numEdit,
      editedAt: new Date(Number(edit.editedAt)).toISOString(),
    })),
    reactions,
    deliveredAt: iso(row.deliveredAt),
    readAt: iso(row.readAt),
    responseFeedback,
  };
}

function toEventDto(row: ConversationEventRow): ConversationEventDto {
  return {
    id: row.id,
    kind: row.kind,
    pageId: row.pageId,
    userId: row.userId,
    timestamp: row.occurredAt.toISOString(),
    data: row.data as Record<string, unknown>,
  };
}

/** The read side of conversations: what the API shows. */
@Injectable()
export class ConversationReader {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageQueryRepository,
    private readonly events: ConversationEventRepository,
    private readonly reactions: ReactionsService,
    private readonly responseFeedback: ResponseFeedbackService,
  ) {}

  async listConversations(
    pageId: string | null,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<ConversationDto>> {
    const position = CONVERSATION_CURSOR.decode(cursor);
    const before = position && { at: position[0], id: position[1] };
    const rows = await this.conversations.list(pageId, before, limit + 1);
    return toPage(rows, limit, toConversationDto, (row) =>
      CONVERSATION_CURSOR.encode([row.lastMessageAt, row.id]),
    );
  }

  /** Every Page known to the service, by id. */
  async listPages(cursor: string | undefined, limit: number): Promise<Page<PageDto>> {
    const position = PAGE_CURSOR.decode(cursor);
    const rows = await this.conversations.listPages(position && position[0], limit + 1);
    return toPage(
      rows,
      limit,
      (row) => ({ pageId: row.id, firstSeenAt: row.firstSeen.toISOString() }),
      (row) => PAGE_CURSOR.encode([row.id]),
    );
  }

  async listMessages(
    pageId: string,
    userId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<MessageDto>> {
    const position = MESSAGE_CURSOR.decode(cursor);
    const after = position && { sentAt: position[0], mid: position[1] };
    const rows = await this.messages.listByConversation(pageId, userId, after, limit + 1);
    if (rows.length === 0) await this.requireConversation(pageId, userId);
    const page = rows.slice(0, limit);
    const mids = page.map((row) => row.mid);
    const [reactions, feedback] = await Promise.all([
      this.reactions.currentFor(mids),
      this.responseFeedback.feedbackForMessages(pageId, userId, mids),
    ]);
    const last = page.at(-1);
    return {
      items: page.map((row) =>
        toMessageDto(row, reactions.get(row.mid) ?? [], feedback.get(row.mid) ?? null),
      ),
      nextCursor:
        rows.length > limit && last ? MESSAGE_CURSOR.encode([last.sentAt, last.mid]) : null,
    };
  }

  async getMessage(mid: string): Promise<MessageDetailDto> {
    const row = await this.messages.findByMid(mid);
    if (row === null) throw AppError.notFound(`message ${mid}`);
    const [reactions, replies, reactionHistory, feedback] = await Promise.all([
      this.reactions.currentFor([mid]),
      this.messages.findReplyMids(mid),
      this.reactions.historyOf(mid),
      this.responseFeedback.feedbackForMessages(row.pageId, row.userId, [mid]),
    ]);
    return {
      ...toMessageDto(row, reactions.get(mid) ?? [], feedback.get(mid) ?? null),
      replies,
      reactionHistory,
    };
  }

  /** A conversation's events, or the Page's own (no customer) when `userId` is null. */
  async listEvents(
    pageId: string,
    userId: string | null,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<ConversationEventDto>> {
    const position = EVENT_CURSOR.decode(cursor);
    const after = position && { at: position[0], id: position[1] };
    const rows = await this.events.list(pageId, userId, after, limit + 1);
    if (rows.length === 0 && userId !== null) await this.requireConversation(pageId, userId);
    return toPage(rows, limit, toEventDto, (row) => EVENT_CURSOR.encode([row.occurredAt, row.id]));
  }

  private async requireConversation(pageId: string, userId: string): Promise<void> {
    if (!(await this.conversations.exists(pageId, userId))) {
      throw AppError.notFound(`conversation of Page ${pageId} with ${userId}`);
    }
  }
}
