import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { ConversationsService } from '../conversations/conversations.service';
import { GraphSendApiClient } from './graph/graph-send-api.client';

/** Which Page a survey goes out from, or why the request must name one. */
export type PageChoice =
  | { pageId: string }
  /** No Page is known at all: the Page of the default token, looked up on the Graph API. */
  | { pageId: null }
  | { error: string };

const LISTED_PAGES = 10;

/** Known Pages and their Page access tokens. */
@Injectable()
export class SurveyPages {
  /** Page id of each default token looked up with GET /me (one token → one Page, for good). */
  private readonly defaultPageIds = new Map<string, Promise<string>>();

  constructor(
    private readonly config: AppConfig,
    private readonly conversations: ConversationsService,
    private readonly graph: GraphSendApiClient,
  ) {}

  /** Pages seen in deliveries plus those with a token of their own (MESSENGER_PAGE_TOKENS). */
  async knownPageIds(): Promise<string[]> {
    const seen = await this.conversations.knownPageIds();
    return [...new Set([...seen, ...Object.keys(this.config.pageTokens)])].sort();
  }

  /** `requested` when given; else the one known Page; with several, an error naming them. */
  async choose(requested: string | null): Promise<PageChoice> {
    if (requested !== null) return { pageId: requested };
    const known = await this.knownPageIds();
    if (known.length === 1) return { pageId: known[0] };
    if (known.length === 0) return { pageId: null };
    const listed =
      known.slice(0, LISTED_PAGES).join(', ') + (known.length > LISTED_PAGES ? ', ...' : '');
    return { error: `pageId is required when more than one Page is known (${listed})` };
  }

  /** The Page's own token, else the default one (MESSENGER_PAGE_ACCESS_TOKEN). */
  tokenFor(pageId: string | null): string {
    const own = pageId === null ? undefined : this.config.pageTokens[pageId];
    const token = own ?? this.config.defaultPageToken;
    if (token === undefined) {
      throw new AppError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'NO_PAGE_ACCESS_TOKEN',
        pageId === null
          ? 'no Page access token is configured: set MESSENGER_PAGE_ACCESS_TOKEN or MESSENGER_PAGE_TOKENS'
          : `no Page access token for Page ${pageId}: add it to MESSENGER_PAGE_TOKENS or set MESSENGER_PAGE_ACCESS_TOKEN`,
      );
    }
    return token;
  }

  /** The id of the Page a token belongs to (GET /me), asked once per token. */
  pageIdOfToken(token: string): Promise<string> {
    let pageId = this.defaultPageIds.get(token);
    if (pageId === undefined) {
      pageId = this.graph.fetchPageId(token);
      this.defaultPageIds.set(token, pageId);
      // A failed lookup is not remembered: the next survey asks again.
      pageId.catch(() => this.defaultPageIds.delete(token));
    }
    return pageId;
  }
}
