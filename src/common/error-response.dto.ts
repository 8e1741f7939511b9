import { ApiProperty } from '@nestjs/swagger';

/** The one error shape of every route (http-exception.filter.ts), for the OpenAPI document. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['by must be one of: page, questionId, rule, responder'],
  })
  message!: string | string[];
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'a stable machine-readable word' })
  code!: string;
}
