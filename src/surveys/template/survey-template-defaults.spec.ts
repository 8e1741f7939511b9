import { TEMPLATE_LIMITS } from './survey-template';
import {
  GENERIC_SUBTITLE,
  GENERIC_TITLE,
  defaultSubtitle,
  defaultTitle,
} from './survey-template-defaults';
import { containsUrl, countCharacters } from './template-text';

describe(defaultTitle.name, () => {
  it('names the business', () => {
    expect(defaultTitle('Original Coast Clothing')).toBe(
      'Rate your experience with Original Coast Clothing',
    );
  });

  it('falls back to a generic title without a business name', () => {
    expect(defaultTitle(undefined)).toBe(GENERIC_TITLE);
    expect(defaultTitle(null)).toBe(GENERIC_TITLE);
    expect(defaultTitle('   ')).toBe(GENERIC_TITLE);
  });

  it('keeps a name that fits exactly', () => {
    const name = 'N'.repeat(39); // 26 characters of text + 39 = 65
    expect(defaultTitle(name)).toBe(`Rate your experience with ${name}`);
  });

  it('cuts a long name to fit 65 characters and marks the cut', () => {
    const title = defaultTitle('N'.repeat(40));
    expect(countCharacters(title)).toBe(TEMPLATE_LIMITS.titleMax);
    expect(title).toBe(`Rate your experience with ${'N'.repeat(38)}…`);
  });

  it('drops a name that looks like a link', () => {
    expect(defaultTitle('Booking.com')).toBe(GENERIC_TITLE);
  });
});

describe(defaultSubtitle.name, () => {
  it('names the business', () => {
    expect(defaultSubtitle('Original Coast Clothing')).toBe(
      'Let Original Coast Clothing know how they are doing',
    );
  });

  it('falls back to a generic subtitle without a business name', () => {
    expect(defaultSubtitle(null)).toBe(GENERIC_SUBTITLE);
  });

  it('cuts a long name to fit 80 characters', () => {
    const subtitle = defaultSubtitle('Très Longue Entreprise 😀 '.repeat(10));
    expect(countCharacters(subtitle)).toBeLessThanOrEqual(TEMPLATE_LIMITS.subtitleMax);
    expect(subtitle.startsWith('Let Très Longue Entreprise 😀')).toBe(true);
    expect(subtitle.endsWith('… know how they are doing')).toBe(true);
    expect(containsUrl(subtitle)).toBe(false);
  });
});
