import { Controller, Get, Header, HttpStatus, Query } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { timingSafeEqual, createHash } from 'node:crypto';
import { AppError } from '../../common/app-error';
import { AppConfig } from '../../config/app-config';

const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** The subscription handshake; Meta's deliveries (`POST /webhook`) are WebhookDeliveryRoute's. */
@ApiTags('webhook')
@Controller('webhook')
export class WebhookController {
  constructor(private readonly config: AppConfig) {}

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
}
