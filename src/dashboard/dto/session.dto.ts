import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** POST /api/session: the API token, exchanged for the session cookie. */
export class CreateSessionDto {
  @ApiProperty({ description: 'the API token (API_TOKEN)', example: 'the-api-token-0123456789' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  token!: string;
}

/** GET /api/session. */
export class SessionDto {
  @ApiProperty({
    enum: ['session', 'bearer'],
    description: '`session` when the request carries a live session cookie, else `bearer`',
  })
  authenticatedBy!: 'session' | 'bearer';

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'when the session ends; null for the bearer',
  })
  expiresAt!: string | null;
}
