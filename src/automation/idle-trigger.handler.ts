import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DatabaseService } from '../database/database.service';
import { OnMessengerEvents } from '../events/event-bus';
import { MessageEchoEvent, MessageReceivedEvent } from '../events/message.event';
import type { MessengerEvent } from '../events/messenger-event';

/**
 * The conversation_idle trigger. The customer wrote, the Page answered after the customer's last
 * message, then nobody wrote for idleMinutes: the survey is due then. Each message (the customer's
 * or the Page's, echoed) moves what its conversation has seen (`idle_watches`: the customer's last
 * message and the Page's, as maxima, so the order events are handled in does not matter, and an
 * event handled again changes nothing), then the conversation's decisions follow from it:
 *
 * - the Page answered last: the exchange (anchored on the customer's last message) has one
 *   scheduled decision per rule, due at the Page's last message + idleMinutes; a later Page
 *   message pushes it. An exchange already decided (sent, skipped, cancelled) gets no second one.
 * - the customer wrote last: every scheduled decision of the conversation is cancelled
 *   (`customer_wrote_again`); the Page's next answer starts a new exchange.
 *
 * It all runs as one call of `conversation_idle_observe` (its migration holds it), one round trip
 * on the processing path of every message: under an advisory lock on the conversation, so two
 * events of one conversation handled at once (by one process or two) see each other's effect, and
 * committed asynchronously as the message inserts are. The scheduler (DecisionScheduler) sends what
 * is due. A message with no conversation_idle rule configured costs one indexed read.
 */
@Injectable()
export class IdleTriggerHandler {
  constructor(
    private readonly prisma: DatabaseService,
    private readonly clock: Clock,
  ) {}

  @OnMessengerEvents([MessageReceivedEvent, MessageEchoEvent])
  async onMessage(event: MessengerEvent): Promise<void> {
    const { pageId, userId } = event;
    if (pageId === null || userId === null) return;
    const at = event.occurredAt();
    const fromCustomer = event instanceof MessageReceivedEvent;
    await this.prisma.pool.query({
      name: 'automation.conversation-idle-observe',
      text: 'SELECT conversation_idle_observe($1, $2, $3, $4, $5)',
      values: [
        pageId,
        userId,
        fromCustomer ? at : null,
        fromCustomer ? null : at,
        this.clock.now(),
      ],
    });
  }
}
