import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { AppError } from '../../common/app-error';
import type { OpenApiContributor } from '../../common/openapi-contributor';
import { AppConfig } from '../../config/app-config';
import { Metrics } from '../../metrics/metrics';
import { DATABASE_UNAVAILABLE_RESPONSE } from '../../database/database-unavailable.openapi';
import { parseDeliveryBody } from './delivery-body';
import { UnverifiedBodies, UnverifiedBody } from './unverified-bodies';
import { WebhookIntake } from './webhook-intake.service';
import { isValidSignature } from './webhook-signature';

export const WEBHOOK_PATH = '/webhook';
/** Meta batches many events into one delivery (the service takes at least 10 MiB). */
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
export class WebhookDeliveryRoute implements OnModuleInit, OpenApiContributor {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly intake: WebhookIntake,
    private readonly metrics: Metrics,
  ) {
    this.unverified = new UnverifiedBodies(config.webhookUnverifiedBytesLimit);
  }

  /** The body bytes held before their signature is checked, across all requests. */
  readonly unverified: UnverifiedBodies;

  /** Adds this route to the OpenAPI document, beside the controllers' routes. */
  describe(document: OpenAPIObject): void {
    if (this.config.servesWebhook) documentWebhookDelivery(document);
  }

  onModuleInit(): void {
    // A worker serves no webhook: the route does not exist there (404).
    if (!this.config.servesWebhook) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // In a context of its own, where JSON stays the exact bytes Meta signed: it is parsed only
    // after the signature is checked. Every content type goes through readBody, so that no body
    // of this route is buffered outside the unverified-body budget.
    void fastify.register((webhook, _options, done) => {
      webhook.removeAllContentTypeParsers();
      webhook.addContentTypeParser('*', (request, payload, parsed) =>
        this.readBody(request, payload, parsed),
      );
      // Whatever way the request ends, its bytes go back to the budget (verification gives them
      // back earlier; releasing twice is harmless).
      webhook.addHook('onResponse', (request, reply, next) => {
        this.release(request);
        const outcome = deliveryOutcome(reply.statusCode);
        this.metrics.deliveries.inc({ outcome });
        this.metrics.acknowledgement.observe({ outcome }, reply.elapsedTime / 1000);
        next();
      });
      webhook.addHook('onRequestAbort', (request, next) => {
        this.release(request);
        next();
      });
      webhook.post(WEBHOOK_PATH, { bodyLimit: WEBHOOK_BODY_LIMIT }, (request, reply) =>
        this.receive(request, reply),
      );
      done();
    });
  }

  /** The budget share of each request whose body is held, until it is verified. */
  private readonly held = new WeakMap<FastifyRequest, UnverifiedBody>();

  private release(request: FastifyRequest): void {
    this.held.get(request)?.release();
    this.held.delete(request);
  }

  /**
   * Reads a JSON body as bytes, each chunk taken from the unverified-body budget as it arrives.
   * Refusals (not JSON, over the size limit, no room in the budget) are answered at once, without
   * reading further, and close the connection so that the rest of the body is never received.
   */
  private readBody(
    request: FastifyRequest,
    payload: IncomingMessage,
    parsed: (error: Error | null, body?: Buffer) => void,
  ): void {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      parsed(
        refusal(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          'UNSUPPORTED_MEDIA_TYPE',
          'deliveries are application/json',
        ),
      );
      return;
    }
    const length = request.headers['content-length'];
    const declared = length === undefined ? null : Number(length);
    if (declared !== null && declared > WEBHOOK_BODY_LIMIT) {
      parsed(tooLarge());
      return;
    }
    const body = this.unverified.open(declared);
    this.held.set(request, body);
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (error: Error | null, result?: Buffer): void => {
      if (settled) return;
      settled = true;
      payload.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (error !== null) {
        chunks.length = 0;
        this.release(request);
        // Nothing more of this body is wanted: stop reading (the refusal closes the connection).
        payload.pause();
      }
      parsed(error, result);
    };
    const onData = (chunk: Buffer): void => {
      if (body.bytes + chunk.length > WEBHOOK_BODY_LIMIT) settle(tooLarge());
      else if (!body.take(chunk.length)) settle(busy());
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(null, Buffer.concat(chunks, body.bytes));
    // Cut off (client gone, or the request timeout): the bytes go back, nobody is answered.
    const onGone = (): void => {
      if (settled) return;
      settled = true;
      payload.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      chunks.length = 0;
      this.release(request);
    };
    payload.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  }

  /** Signature first (nothing of an unsigned body is parsed), then stored, then acknowledged. */
  private async receive(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    const header = request.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    // A Buffer from readBody (absent when the request had no body).
    const raw = Buffer.isBuffer(request.body) ? request.body : null;
    const valid = raw !== null && isValidSignature(raw, signature, this.config.appSecret);
    // Verified or refused, the body no longer counts as unverified.
    this.release(request);
    if (!valid) {
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

/** A delivery's answer as a bounded label. */
function deliveryOutcome(status: number): string {
  switch (status) {
    case 200:
      return 'accepted';
    case 400:
      return 'invalid_body';
    case 401:
      return 'invalid_signature';
    case 408:
      return 'timeout';
    case 413:
      return 'too_large';
    case 415:
      return 'unsupported_media_type';
    case 503:
      return 'unavailable';
    default:
      return 'error';
  }
}

/** A refusal answered before the body is read: the connection closes rather than take the rest. */
function refusal(status: HttpStatus, code: string, message: string, headers = {}): AppError {
  return new AppError(status, code, message, {}, { connection: 'close', ...headers });
}

const tooLarge = (): AppError =>
  refusal(
    HttpStatus.PAYLOAD_TOO_LARGE,
    'PAYLOAD_TOO_LARGE',
    `a delivery may be at most ${WEBHOOK_BODY_LIMIT} bytes`,
  );

/** Seconds after which a refused sender may try again: held bodies are cut within the request timeout. */
const BUSY_RETRY_AFTER_S = 5;

const busy = (): AppError =>
  refusal(
    HttpStatus.SERVICE_UNAVAILABLE,
    'INTAKE_BUSY',
    'too many unverified delivery bytes in flight; try again shortly',
    { 'retry-after': String(BUSY_RETRY_AFTER_S) },
  );

/** The route's OpenAPI description, added to the document beside the controllers' routes. */
function documentWebhookDelivery(document: OpenAPIObject): void {
  document.paths[WEBHOOK_PATH] = {
    ...document.paths[WEBHOOK_PATH],
    post: {
      tags: ['webhook'],
      operationId: 'WebhookDelivery_receive',
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
        '415': { description: 'UNSUPPORTED_MEDIA_TYPE: not sent as application/json' },
        '500': {
          description:
            'INTERNAL_ERROR: the delivery could not be stored; Meta delivers it again. The body carries an errorId, also in the log line of the error.',
        },
        '503': {
          ...DATABASE_UNAVAILABLE_RESPONSE,
          description:
            'DATABASE_UNAVAILABLE: the database did not answer within DATABASE_TIMEOUT_MS (or refused the connection); nothing was acknowledged, Meta delivers it again. INTAKE_BUSY: too many unverified body bytes in flight (WEBHOOK_UNVERIFIED_BYTES_LIMIT); the connection is closed. Both carry Retry-After.',
        },
      },
    },
  };
}
