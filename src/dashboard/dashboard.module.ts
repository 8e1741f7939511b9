import { Module } from '@nestjs/common';
import { SessionController } from './session.controller';
import { SessionStore } from './session.store';

/** The dashboard's login sessions; its files are served by serveDashboard (app.ts). */
@Module({
  controllers: [SessionController],
  providers: [SessionStore],
  exports: [SessionStore],
})
export class DashboardModule {}
