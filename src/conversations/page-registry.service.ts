import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { OnMessengerEvents } from '../events/event-bus';
import { MESSENGER_EVENTS, MessengerEvent } from '../events/messenger-events';
import { ConversationRepository } from './conversation.repository';

/**
 * Every kind of the map but unknown (which may not even be a Page's), so that a kind added later
 * is covered without a change here.
 */
const KINDS_WITH_A_PAGE = Object.values(MESSENGER_EVENTS).filter(
  (eventClass) => eventClass !== MESSENGER_EVENTS.unknown,
);

/**
 * Keeps the `pages` table: every Page with a configured token, and every Page seen in an event.
 * Ids already recorded by this process are remembered, so the steady state costs no query.
 */
@Injectable()
export class PageRegistry implements OnApplicationBootstrap {
  private readonly known = new Set<string>();
  private readonly recording = new Map<string, Promise<void>>();

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const configured = Object.keys(this.config.pageTokens);
    await Promise.all(configured.map((pageId) => this.remember(pageId)));
  }

  /** Records a Page id once; concurrent calls for the same id share one insert. */
  remember(pageId: string): Promise<void> {
    if (this.known.has(pageId)) return Promise.resolve();
    let pending = this.recording.get(pageId);
    if (pending === undefined) {
      pending = this.conversations
        .insertPages([pageId])
        .then(() => {
          this.known.add(pageId);
        })
        .finally(() => this.recording.delete(pageId));
      this.recording.set(pageId, pending);
    }
    return pending;
  }

  @OnMessengerEvents(KINDS_WITH_A_PAGE)
  onEvent(event: MessengerEvent): Promise<void> {
    return event.pageId === null ? Promise.resolve() : this.remember(event.pageId);
  }
}
