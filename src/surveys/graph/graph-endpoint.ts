import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/**
 * Where the Graph API is: GRAPH_API_URL, unless the sandbox has pointed every Graph call at its
 * simulated Graph API (src/sandbox/), whose loopback address is known only once it listens.
 */
@Injectable()
export class GraphEndpoint {
  private simulated: string | null = null;

  constructor(private readonly config: AppConfig) {}

  /** The base URL of the Graph API, without a trailing slash. */
  get baseUrl(): string {
    return this.simulated ?? this.config.graphApiUrl;
  }

  /** From now on Graph calls go to `url` (the sandbox's simulator), or back to GRAPH_API_URL. */
  simulateAt(url: string | null): void {
    this.simulated = url === null ? null : url.replace(/\/+$/, '');
  }
}
