import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { crossSite, isSameOrigin, sameSecret, SESSION_COOKIE } from '../common/route-auth';
import { AppConfig } from '../config/app-config';
import { CreateSessionDto, SessionDto } from './dto/session.dto';
import { SessionStore } from './session.store';

/** Whether the request comes from a browser page of another site (login CSRF). */
const fromAnotherSite = (request: FastifyRequest): boolean =>
  (request.headers['sec-fetch-site'] !== undefined || request.headers.origin !== undefined) &&
  !isSameOrigin(request);

@ApiTags('dashboard')
@Controller('api/session')
export class SessionController {
  constructor(
    private readonly sessions: SessionStore,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Log in to the dashboard: the API token for an HttpOnly session cookie (public)',
  })
  @ApiNoContentResponse({
    description: `logged in: \`Set-Cookie: ${SESSION_COOKIE}=…; HttpOnly; SameSite=Strict; Path=/\``,
  })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: no token, or not a string' })
  @ApiUnauthorizedResponse({ description: 'UNAUTHORIZED: not the API token' })
  @ApiForbiddenResponse({ description: 'CSRF_REJECTED: sent by a page of another site' })
  async create(
    @Body() body: CreateSessionDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (fromAnotherSite(request)) throw crossSite();
    if (!sameSecret(body.token, this.config.apiToken)) {
      throw new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'not the API token');
    }
    const { id } = await this.sessions.create();
    void reply.setCookie(SESSION_COOKIE, id, {
      ...this.cookieOptions(),
      maxAge: Math.floor(this.config.sessionTtlMs / 1000),
    });
  }

  @Get()
  @ApiOperation({ summary: 'Who is asking: the session of the cookie, or the bearer token' })
  @ApiOkResponse({ type: SessionDto })
  async show(@Req() request: FastifyRequest): Promise<SessionDto> {
    // The authentication hook has let the request in: by the bearer, or by a live session.
    const id = request.cookies[SESSION_COOKIE];
    const expiresAt = typeof id === 'string' ? await this.sessions.expiryOf(id) : null;
    return expiresAt === null
      ? { authenticatedBy: 'bearer', expiresAt: null }
      : { authenticatedBy: 'session', expiresAt: expiresAt.toISOString() };
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Log out: end the session of the cookie, on the server too' })
  @ApiNoContentResponse({ description: 'the session is ended and the cookie cleared' })
  @ApiForbiddenResponse({
    description: 'CSRF_REJECTED: a cookie-authenticated request from another origin',
  })
  async end(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const id = request.cookies[SESSION_COOKIE];
    if (typeof id === 'string') await this.sessions.end(id);
    void reply.clearCookie(SESSION_COOKIE, this.cookieOptions());
  }

  private cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: this.config.isProduction,
    } as const;
  }
}
