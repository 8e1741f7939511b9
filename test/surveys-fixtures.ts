import type { DatabaseService } from '../src/database/database.service';
import { FakeGraphApi } from './fake-graph-api';
import { startTestApp, TestApp } from './test-app';

/** The app and rows the surveys, scores and auth specs start from (payloads: messenger-factories.ts). */

/** The service with a fake Graph API behind it and a privacy policy URL, as surveys need. */
export async function startSurveyApp(
  env: Record<string, string>,
  options: Parameters<typeof startTestApp>[1] = {},
): Promise<{ t: TestApp; fake: FakeGraphApi; close: () => Promise<void> }> {
  const fake = await FakeGraphApi.start();
  try {
    const t = await startTestApp(
      {
        GRAPH_API_URL: fake.url,
        PRIVACY_POLICY_URL: 'https://www.example.com/privacy',
        ...env,
      },
      options,
    );
    const close = async (): Promise<void> => {
      await t.close();
      await fake.close();
    };
    return { t, fake, close };
  } catch (error) {
    await fake.close();
    throw error;
  }
}

/**
 * Records that the customer last wrote at `lastInboundAt` (the conversations module owns these
 * rows; writing them directly keeps these specs independent of its handlers).
 */
export async function seedConversation(
  prisma: DatabaseService,
  pageId: string,
  userId: string,
  lastInboundAt: Date,
): Promise<void> {
  await prisma.page.upsert({ where: { id: pageId }, create: { id: pageId }, update: {} });
  await prisma.conversation.upsert({
    where: { pageId_userId: { pageId, userId } },
    create: { pageId, userId, lastInboundAt, lastMessageAt: lastInboundAt, messageCount: 1 },
    update: { lastInboundAt, lastMessageAt: lastInboundAt },
  });
}

/**
 * `count` valid CSAT answers (score 3) of Page `pageId`, from customers `bulk1` to `bulk<count>`,
 * one a second from 2026-11-10 in that order, written in one statement: the specs of large exports.
 */
export async function insertBulkAnswers(
  prisma: DatabaseService,
  pageId: string,
  count: number,
): Promise<void> {
  await prisma.pool.query(
    `INSERT INTO survey_answers (event_id, page_id, user_id, question_id, type, payload, score, valid, submitted_at)
     SELECT md5($1 || ':' || i) || md5(i || ':' || $1), $1, 'bulk' || i, 'csat', 'csat', '3', 3, true,
            timestamptz '2026-11-10T00:00:00Z' + i * interval '1 second'
     FROM generate_series(1, $2::int) AS g(i)`,
    [pageId, count],
  );
}

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;
