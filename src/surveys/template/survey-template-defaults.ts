import { TEMPLATE_LIMITS } from './survey-template';
import { containsUrl, countCharacters, truncateCharacters } from './template-text';

export const GENERIC_TITLE = 'Rate your experience';
export const GENERIC_SUBTITLE = 'Let us know how we are doing';
export const DEFAULT_BUTTON_TITLE = 'Rate experience';

const ELLIPSIS = '…';

/**
 * Defaults built from BUSINESS_NAME always pass the template's own rules, so a long or odd
 * business name never makes every survey fail: a name too long for the text is cut to fit and
 * ends with "…"; a text that would still break a rule (the name looks like a link, e.g.
 * "Booking.com") falls back to the generic text without the name.
 */
function withBusinessName(
  businessName: string | null | undefined,
  build: (name: string) => string,
  generic: string,
  max: number,
): string {
  const name = businessName?.trim();
  if (!name) return generic;
  const room = max - countCharacters(build(''));
  const fitted =
    countCharacters(name) <= room ? name : truncateCharacters(name, room - 1).trimEnd() + ELLIPSIS;
  const text = build(fitted);
  return countCharacters(text) <= max && !containsUrl(text) ? text : generic;
}

export function defaultTitle(businessName: string | null | undefined): string {
  return withBusinessName(
    businessName,
    (name) => `Rate your experience with ${name}`,
    GENERIC_TITLE,
    TEMPLATE_LIMITS.titleMax,
  );
}

export function defaultSubtitle(businessName: string | null | undefined): string {
  return withBusinessName(
    businessName,
    (name) => `Let ${name} know how they are doing`,
    GENERIC_SUBTITLE,
    TEMPLATE_LIMITS.subtitleMax,
  );
}
