import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { parseDeliveryBody } from './delivery-body';
import { WebhookIntake } from './webhook-intake.service';
import { isValidSignature } from './webhook-signature';

export const WEBHOOK_PATH = '/webhook';
/** Meta batches many events into one delivery (API.md asks for at least 10 MiB). */
export const WEBHOOK_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * `POST /webhook`, Meta's deliveries, as a plain Fastify route rather than a controller method.
 * It is the service's hot path (thousands of requests a second at peak) and uses none of what
 * Nest's per-request pipeline offers (guards, interceptors, pipes, response mapping), which
 * measured a fifth of the intake thread's time (BENCHMARKS.md). Its errors still reach the
 * application's exception filter, which Nest installs as Fastify's error handler, so they have the
 * one error shape of every route.
 */
@Injectable()
export class WebhookDeliveryRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly intake: WebhookIntake,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // In a context of its own, where JSON stays the exact bytes Meta signed: it is parsed only
    // after the signature is checked.
    void fastify.register((webhook, _options, done) => {
      webhook.removeContentTypeParser('application/json');
      webhook.addContentTypeParser(
        'application/json',
        { parseAs: 'buffer' },
        (_request, body, parsed) => parsed(null, body),
      );
      webhook.post(WEBHOOK_PATH, { bodyLimit: WEBHOOK_BODY_LIMIT }, (request, reply) =>
        this.receive(request, reply),
      );
      done();
    });
  }

  /** Signature first (nothing of an unsigned body is parsed), then stored, then acknowledged. */
  private async receive(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    const header = request.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    // A Buffer from the parser above; any other content type is refused like a bad signature.
    const raw = Buffer.isBuffer(request.body) ? request.body : null;
    if (raw === null || !isValidSignature(raw, signature, this.config.appSecret)) {
      throw new AppError(
        HttpStatus.UNAUTHORIZED,
        'INVALID_SIGNATURE',
        'X-Hub-Signature-256 is missing or does not match the body',
      );
    }
    const { text, body } = parseDeliveryBody(raw);
    await this.intake.receive(text, body);
    void reply.type('text/plain; charset=utf-8');
    return 'EVENT_RECEIVED';
  }
}

/** The route's OpenAPI description, added to the document beside the controllers' routes. */
export function documentWebhookDelivery(document: OpenAPIObject): void {
  document.paths[WEBHOOK_PATH] = {
    ...document.paths[WEBHOOK_PATH],
    post: {
      tags: ['webhook'],
      summary: 'A delivery from Meta',
      description:
        'Signed with X-Hub-Signature-256 over the raw body. Answers EVENT_RECEIVED once the delivery and its events are durably stored; 5xx when they cannot be, so that Meta delivers again.',
      parameters: [
        {
          name: 'X-Hub-Signature-256',
          in: 'header',
          required: true,
          description: 'sha256=<hex HMAC-SHA256 of the body>',
          schema: { type: 'string' },
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              example: {
                object: 'page',
                entry: [{ id: '<PAGE_ID>', time: 1458692752478, messaging: [] }],
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'stored',
          content: { 'text/plain': { schema: { type: 'string', example: 'EVENT_RECEIVED' } } },
        },
        '400': { description: 'INVALID_JSON: not JSON, or nested deeper than 64 levels' },
        '401': {
          description: 'INVALID_SIGNATURE: X-Hub-Signature-256 missing or wrong; nothing stored',
        },
        '413': {
          description:
            'PAYLOAD_TOO_LARGE: over 16 MiB; TOO_MANY_EVENTS: more than 100,000 events in one delivery. Nothing stored',
        },
        '500': { description: 'the delivery could not be stored; Meta delivers it again' },
      },
    },
  };
}
