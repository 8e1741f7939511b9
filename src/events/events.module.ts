import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { EventBus, InProcessEventBus } from './event-bus';
import { IntakeLoad } from './intake-load';

@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, maxListeners: 50 })],
  providers: [{ provide: EventBus, useClass: InProcessEventBus }, IntakeLoad],
  exports: [EventBus, IntakeLoad],
})
export class EventsModule {}
