import {
  Controller,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiHeader,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual, createHash } from 'node:crypto';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { parseDeliveryBody } from './delivery-body';
import { WebhookIntake } from './webhook-intake.service';
import { WebhookSignatureGuard } from './webhook-signature.guard';

const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

@ApiTags('webhook')
@Controller('webhook')
export class WebhookController {
  constructor(
    private readonly config: AppConfig,
    private readonly intake: WebhookIntake,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Subscription handshake: echoes hub.challenge when hub.verify_token matches',
  })
  @ApiQuery({ name: 'hub.mode', example: 'subscribe' })
  @ApiQuery({ name: 'hub.verify_token' })
  @ApiQuery({ name: 'hub.challenge' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'the challenge', schema: { type: 'string' } })
  @ApiForbiddenResponse({
    description: 'hub.mode is not subscribe or hub.verify_token does not match',
  })
  @Header('content-type', 'text/plain; charset=utf-8')
  verify(@Query() query: Record<string, unknown>): string {
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (
      mode === 'subscribe' &&
      typeof token === 'string' &&
      typeof challenge === 'string' &&
      sameSecret(token, this.config.verifyToken)
    ) {
      return challenge;
    }
    throw new AppError(
      HttpStatus.FORBIDDEN,
      'VERIFICATION_FAILED',
      'hub.mode or hub.verify_token does not match',
    );
  }

  @Post()
  @HttpCode(200)
  @UseGuards(WebhookSignatureGuard)
  @ApiOperation({
    summary: 'A delivery from Meta',
    description:
      'Signed with X-Hub-Signature-256 over the raw body. Answers EVENT_RECEIVED once the delivery and its events are durably stored; 5xx when they cannot be, so that Meta delivers again.',
  })
  @ApiHeader({
    name: 'X-Hub-Signature-256',
    required: true,
    description: 'sha256=<hex HMAC-SHA256 of the body>',
  })
  @ApiBody({
    schema: {
      type: 'object',
      example: { object: 'page', entry: [{ id: '<PAGE_ID>', time: 1458692752478, messaging: [] }] },
    },
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string', example: 'EVENT_RECEIVED' } })
  @ApiBadRequestResponse({ description: 'INVALID_JSON: not JSON, or nested deeper than 64 levels' })
  @ApiUnauthorizedResponse({
    description: 'INVALID_SIGNATURE: X-Hub-Signature-256 missing or wrong; nothing stored',
  })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE: over 16 MiB' })
  @ApiServiceUnavailableResponse({
    description: 'the delivery could not be stored; Meta delivers it again',
  })
  @Header('content-type', 'text/plain; charset=utf-8')
  async receive(@Req() request: FastifyRequest): Promise<string> {
    const { text, body } = parseDeliveryBody(request.rawBody as Buffer);
    await this.intake.receive(text, body);
    return 'EVENT_RECEIVED';
  }
}
