import { Module } from '@nestjs/common';
import { CUSTOMER_DATA } from '../../common/customer-data';
import { ConversationsModule } from '../../conversations/conversations.module';
import { SurveysModule } from '../../surveys/surveys.module';
import { CampaignDataOwner } from './campaign-data.owner';
import { CampaignRunner } from './campaign-runner.service';
import { CampaignRepository } from './campaign.repository';
import { SurveyCampaignsController } from './survey-campaigns.controller';
import { SurveyCampaigns } from './survey-campaigns.service';

/** Survey campaigns: one paced send to a Page's recent customers (POST /api/survey-campaigns). */
@Module({
  imports: [ConversationsModule, SurveysModule],
  controllers: [SurveyCampaignsController],
  providers: [
    CampaignRepository,
    CampaignRunner,
    SurveyCampaigns,
    CampaignDataOwner,
    { provide: CUSTOMER_DATA, useExisting: CampaignDataOwner },
  ],
})
export class CampaignsModule {}
