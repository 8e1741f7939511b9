import type { Page } from '../src/common/pagination';
import type { MessageDetailDto, MessageDto } from '../src/conversations/dto/message.dto';
import { eventually, readJson, startTestApp, TestApp } from './test-app';
import { conversationFactory } from './messenger-factories';

const f = conversationFactory({
  page: '100000000000001',
  start: Date.UTC(2026, 10, 3, 9, 0, 0),
  userPrefix: '5000000000',
});
const { page: PAGE, iso, newUser, inbound } = f;
const echo = (user: string, seconds: number, mid: string, text = mid): unknown =>
  f.echo(user, seconds, mid, { text });

function reaction(
  user: string,
  seconds: number,
  mid: string,
  action: 'react' | 'unreact',
  kind?: string,
  emoji?: string,
): unknown {
  return inbound(user, seconds, {
    reaction: { mid, action, ...(kind ? { reaction: kind } : {}), ...(emoji ? { emoji } : {}) },
  });
}

describe('reactions and replies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const send = (...events: unknown[]): Promise<void> => f.send(t, events);

  async function message(mid: string): Promise<MessageDetailDto> {
    const res = await t.api(`/api/messages/${encodeURIComponent(mid)}`);
    expect(res.status).toBe(200);
    return (await readJson(res)) as MessageDetailDto;
  }

  /** Waits until every stored event of `user` is processed after `since`. */
  async function processedSince(user: string, since: Date): Promise<void> {
    await eventually(async () => {
      for (const event of await t.prisma.webhookEvent.findMany({ where: { userId: user } })) {
        expect(event.status).toBe('processed');
        expect(event.processedAt!.getTime()).toBeGreaterThanOrEqual(since.getTime());
      }
    });
  }

  describe('reactions', () => {
    it('does show current reactions, remove one on unreact, and keep the whole history', async () => {
      const [ann, bob] = [newUser(), newUser()];
      await send(echo(ann, 1, 'm_r1'));
      await eventually(() => message('m_r1'));
      await send(reaction(ann, 2, 'm_r1', 'react', 'love', '\u2764\uFE0F'));
      // Bob is a second participant reacting to the same message (a group thread would have many).
      await send(reaction(bob, 3, 'm_r1', 'react', 'like', '\uD83D\uDC4D'));
      await eventually(async () => expect((await message('m_r1')).reactions).toHaveLength(2));
      await send(reaction(ann, 4, 'm_r1', 'unreact', 'love', '\u2764\uFE0F'));
      await eventually(async () => {
        const body = await message('m_r1');
        expect(body.reactions).toEqual([
          { userId: bob, reaction: 'like', emoji: '\uD83D\uDC4D', reactedAt: iso(3) },
        ]);
        expect(body.reactionHistory).toEqual([
          { userId: ann, action: 'react', reaction: 'love', emoji: '\u2764\uFE0F', at: iso(2) },
          { userId: bob, action: 'react', reaction: 'like', emoji: '\uD83D\uDC4D', at: iso(3) },
          { userId: ann, action: 'unreact', reaction: 'love', emoji: '\u2764\uFE0F', at: iso(4) },
        ]);
      });
      // The conversation's list shows the same current reactions.
      const list = (await readJson(
        await t.api(`/api/conversations/${PAGE}/${ann}/messages`),
      )) as Page<MessageDto>;
      expect(list.items[0].reactions).toEqual([
        { userId: bob, reaction: 'like', emoji: '\uD83D\uDC4D', reactedAt: iso(3) },
      ]);
    });

    it('does follow the reactions\u2019 timestamps, not their arrival, and keep ones that came before the message', async () => {
      const user = newUser();
      // Newest first: an unreact, then the react it undoes, then an older react.
      await send(reaction(user, 20, 'm_r2', 'unreact'));
      await send(reaction(user, 10, 'm_r2', 'react', 'wow', '\uD83D\uDE2E'));
      await send(reaction(user, 30, 'm_r3', 'react', 'sad', '\uD83D\uDE22'));
      await send(reaction(user, 25, 'm_r3', 'react', 'angry', '\uD83D\uDE20'));
      await eventually(async () =>
        expect(await t.prisma.reactionEvent.count({ where: { userId: user } })).toBe(4),
      );
      expect((await t.api('/api/messages/m_r2')).status).toBe(404);
      await send(echo(user, 1, 'm_r2'), echo(user, 2, 'm_r3'));
      await eventually(async () => {
        const [r2, r3] = [await message('m_r2'), await message('m_r3')];
        expect(r2.reactions).toEqual([]);
        expect(r2.reactionHistory.map((item) => item.action)).toEqual(['react', 'unreact']);
        expect(r3.reactions).toEqual([
          { userId: user, reaction: 'sad', emoji: '\uD83D\uDE22', reactedAt: iso(30) },
        ]);
        expect(r3.reactionHistory.map((item) => item.reaction)).toEqual(['angry', 'sad']);
      });
    });

    it('does change nothing when reaction events are handled again', async () => {
      const user = newUser();
      await send(
        echo(user, 1, 'm_r4'),
        reaction(user, 2, 'm_r4', 'react', 'like'),
        reaction(user, 3, 'm_r4', 'unreact'),
        reaction(user, 4, 'm_r4', 'react', 'love'),
      );
      // Settled: the message's current reactions and its history are read by two statements, so
      // a read while the last event commits may show its history without its current reaction.
      const before = await eventually(async () => {
        const body = await message('m_r4');
        expect(body.reactionHistory).toHaveLength(3);
        expect(body.reactions).toEqual([
          { userId: user, reaction: 'love', emoji: null, reactedAt: iso(4) },
        ]);
        return body;
      });
      const retriedAt = new Date();
      for (const { id } of await t.prisma.webhookEvent.findMany({ where: { userId: user } })) {
        expect((await t.api(`/api/webhook-events/${id}/retry`, { method: 'POST' })).status).toBe(
          202,
        );
      }
      await processedSince(user, retriedAt);
      expect(await message('m_r4')).toEqual(before);
    });

    it('does read the reaction nested in message, as the reactions reference sketches it', async () => {
      const user = newUser();
      await send(
        echo(user, 1, 'm_r5'),
        inbound(user, 2, {
          message: {
            reaction: { reaction: 'smile', emoji: '\uD83D\uDE04', action: 'react', mid: 'm_r5' },
          },
        }),
      );
      await eventually(async () => {
        expect((await message('m_r5')).reactions).toEqual([
          { userId: user, reaction: 'smile', emoji: '\uD83D\uDE04', reactedAt: iso(2) },
        ]);
      });
    });
  });

  describe('legacy helper webhooks', () => {
    it('does store a helper reaction on the original message and never its _reaction message', async () => {
      const user = newUser();
      const original =
        'm_oyU9yvUs0lZixb_pHaK6n7IfLZDamVrALniheUYEDdHo7lzd6t5egmvcpmc1fGTO4q92bvfK-8is-RFsSkxyaw';
      await send(echo(user, 1, original, 'attachment'));
      await send(
        inbound(user, 2, {
          reaction: { mid: original, action: 'react', emoji: '\uD83D\uDE0D', reaction: 'love' },
          message: { text: "(reacted 'love' to - 'attachment')", mid: `${original}_reaction` },
        }),
        // The helper message alone, without its reaction beside it: not a message either.
        inbound(user, 3, {
          message: { text: "(reacted 'like' to - 'attachment')", mid: `${original}_reaction` },
        }),
      );
      await eventually(async () => {
        expect((await message(original)).reactions).toEqual([
          { userId: user, reaction: 'love', emoji: '\uD83D\uDE0D', reactedAt: iso(2) },
        ]);
      });
      expect((await t.api(`/api/messages/${original}_reaction`)).status).toBe(404);
      const list = (await readJson(
        await t.api(`/api/conversations/${PAGE}/${user}/messages`),
      )) as Page<MessageDto>;
      expect(list.items.map((item: { mid: string }) => item.mid)).toEqual([original]);
    });

    it("does take a helper reply's words from original_text and link it to what it replies to", async () => {
      const user = newUser();
      const asked =
        'm_O26bdn-DW_wQSY5rOZwoILIfLZDamVrALniheUYEDdEET7k2PRBmugCCw6WHB_Xc2Q95zKWRgqt_7mEFUvNSWA';
      const reply =
        'm_Azh9c_bpCZ-tUy9lnE9hJ7IfLZDamVrALniheUYEDdHHl8xzaqkhcJPuAvZHpYjotySGirfwWwWBCeCQGoV-rg';
      await send(
        echo(user, 1, asked, 'What we can do to help you today?'),
        inbound(user, 2, {
          message: {
            mid: reply,
            text: "I have an issue with an order (replied to - 'What we can do to help you today?')",
            reply_to: { mid: asked },
            original_text: 'I have an issue with an order',
          },
        }),
      );
      await eventually(async () => {
        expect(await message(reply)).toMatchObject({
          text: 'I have an issue with an order',
          replyTo: asked,
          replies: [],
        });
        expect((await message(asked)).replies).toEqual([reply]);
      });
    });
  });

  describe('replies', () => {
    it('does link replies both ways, also when a reply arrives before the message it answers', async () => {
      const user = newUser();
      await send(
        inbound(user, 5, {
          message: { mid: 'm_re2', text: 'second answer', reply_to: { mid: 'm_re0' } },
        }),
      );
      await eventually(() => message('m_re2'));
      await send(
        echo(user, 1, 'm_re0'),
        inbound(user, 3, {
          message: { mid: 'm_re1', text: 'first answer', reply_to: { mid: 'm_re0' } },
        }),
      );
      await eventually(async () => {
        const original = await message('m_re0');
        expect(original).toMatchObject({
          replyTo: null,
          replies: ['m_re1', 'm_re2'],
          reactionHistory: [],
        });
        expect(await message('m_re1')).toMatchObject({ replyTo: 'm_re0', replies: [] });
      });
    });
  });
});
