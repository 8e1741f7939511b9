import { Module } from '@nestjs/common';
import { CUSTOMER_DATA } from '../common/customer-data';
import { ConversationsModule } from '../conversations/conversations.module';
import { SurveysModule } from '../surveys/surveys.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { DecisionDataOwner } from './decision-data.owner';
import { DecisionScheduler } from './decision-scheduler.service';
import { DecisionSender } from './decision-sender.service';
import { IdleTriggerHandler } from './idle-trigger.handler';
import { RuleTriggersHandler } from './rule-triggers.handler';
import { SurveyRulesController } from './survey-rules.controller';
import { SurveyRules } from './survey-rules.service';

/** Surveys that send themselves: rules, their triggers on the event bus, and their decisions. */
@Module({
  imports: [ConversationsModule, SurveysModule, CampaignsModule],
  controllers: [SurveyRulesController],
  providers: [
    SurveyRules,
    DecisionSender,
    RuleTriggersHandler,
    IdleTriggerHandler,
    DecisionScheduler,
    DecisionDataOwner,
    { provide: CUSTOMER_DATA, useExisting: DecisionDataOwner },
  ],
})
export class AutomationModule {}
