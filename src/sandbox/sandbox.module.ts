import { Module } from '@nestjs/common';
import { SurveysModule } from '../surveys/surveys.module';
import { DemoController } from './demo/demo.controller';
import { DemoWriter } from './demo/demo-writer.service';
import { GraphSimulator } from './graph-simulator';
import { SandboxCustomers } from './sandbox-customers.service';
import { SandboxController } from './sandbox.controller';
import { SandboxOutbox } from './sandbox-outbox';
import { SandboxWebhook } from './sandbox-webhook';

/**
 * The sandbox (MESSENGER_SANDBOX): a simulated Graph API, simulated customers of the sandbox Page
 * and the demo history. AppModule imports it only when the sandbox is on, so with it off its
 * routes do not exist (404) and nothing of it runs.
 */
@Module({
  imports: [SurveysModule],
  controllers: [SandboxController, DemoController],
  providers: [SandboxWebhook, SandboxOutbox, GraphSimulator, SandboxCustomers, DemoWriter],
  exports: [DemoWriter],
})
export class SandboxModule {}
