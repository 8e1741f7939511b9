import type { PrismaService } from '../src/database/prisma.service';
import { FakeGraphApi } from './fake-graph-api';
import { startTestApp, TestApp } from './test-app';

/** Builders shared by the surveys, scores and response-feedback end-to-end specs. */

/** The service with a fake Graph API behind it and a privacy policy URL, as surveys need. */
export async function startSurveyApp(
  env: Record<string, string>,
): Promise<{ t: TestApp; fake: FakeGraphApi; close: () => Promise<void> }> {
  const fake = await FakeGraphApi.start();
  try {
    const t = await startTestApp({
      GRAPH_API_URL: fake.url,
      PRIVACY_POLICY_URL: 'https://www.example.com/privacy',
      ...env,
    });
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

export interface FeedbackAnswerFixture {
  type: string;
  payload: string;
  followUp?: string;
}

/** A signed-delivery body with one messaging_feedback event (seed 002's shape). */
export function feedbackDelivery(input: {
  pageId: string;
  userId: string;
  timestamp?: number;
  questions: Record<string, FeedbackAnswerFixture>;
}): unknown {
  const questions = Object.fromEntries(
    Object.entries(input.questions).map(([id, answer]) => [
      id,
      {
        type: answer.type,
        payload: answer.payload,
        ...(answer.followUp !== undefined && {
          follow_up: { type: 'free_form', payload: answer.followUp },
        }),
      },
    ]),
  );
  return {
    object: 'page',
    entry: [
      {
        id: input.pageId,
        time: input.timestamp ?? Date.now(),
        messaging: [
          {
            sender: { id: input.userId },
            recipient: { id: input.pageId },
            ...(input.timestamp !== undefined && { timestamp: input.timestamp }),
            messaging_feedback: { feedback_screens: [{ screen_id: 0, questions }] },
          },
        ],
      },
    ],
  };
}

/** A signed-delivery body with one response_feedback event (seed 000's shape). */
export function responseFeedbackDelivery(input: {
  pageId: string;
  userId: string;
  mid: string;
  feedback: 'Good response' | 'Bad response';
  timestamp: number;
}): unknown {
  return {
    object: 'page',
    entry: [
      {
        id: input.pageId,
        time: input.timestamp,
        messaging: [
          {
            sender: { id: input.userId },
            recipient: { id: input.pageId },
            timestamp: input.timestamp,
            response_feedback: { feedback: input.feedback, mid: input.mid },
          },
        ],
      },
    ],
  };
}

/**
 * Records that the customer last wrote at `lastInboundAt` (the conversations module owns these
 * rows; writing them directly keeps these specs independent of its handlers).
 */
export async function seedConversation(
  prisma: PrismaService,
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
