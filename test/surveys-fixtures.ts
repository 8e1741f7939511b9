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

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;
