import { ConfigModule } from '@nestjs/config';
import { resolve } from 'node:path';

/**
 * `.env` in the working directory, read into process.env by @nestjs/config before anything reads
 * the environment. A variable the environment already has wins, even set empty (which means unset).
 * Only the commands a person runs read it (the service, db:migrate, demo): the tests and
 * benchmarks set their environment themselves.
 */
export async function readEnvFile(path = resolve('.env')): Promise<void> {
  await ConfigModule.forRoot({ envFilePath: path });
}
