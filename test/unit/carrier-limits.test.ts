// Issue 18, items 2 and 6: what the webhooks keep of a text (a body cut to 1,600 characters with a
// marker, at most 10 media, media URLs only when they are Twilio's https URLs), and the same URL rule in
// the dashboard, which renders nothing else as a link, an image or a player.
import { MAX_SMS_TEXT } from '../../lambdas/flows/applets';
import { checkMediaUrl, isCarrierMediaUrl, limitTextBody, MAX_MEDIA_URL_LENGTH, TRUNCATION_MARKER } from '../../lambdas/twilio/carrier-limits';
import { incomingText } from '../../lambdas/twilio/request';
import { mediaView, safeMediaUrl } from '../../web/src/media-links';

const RECORDING = 'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Recordings/RE00000000000000000000000000000000';
const MEDIA = 'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages/MM00000000000000000000000000000000/Media/ME00000000000000000000000000000000';

describe('checkMediaUrl: https on Twilio’s API hosts only', () => {
  test.each([
    RECORDING,
    MEDIA,
    `${RECORDING}.mp3`,
    'https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
    'https://api.sydney.au1.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
    'https://api.us1.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
    'https://API.TWILIO.COM/2010-04-01/Accounts/AC1/Recordings/RE1',
    'https://api.twilio.com:443/2010-04-01/Accounts/AC1/Recordings/RE1',
  ])('keeps %s', (url) => expect(checkMediaUrl(url)).toBe('ok'));

  test.each([
    ['javascript:alert(document.domain)', 'not_https'],
    ['JavaScript:alert(1)//https://api.twilio.com/', 'not_https'],
    ['data:image/png;base64,iVBORw0KGgo=', 'not_https'],
    ['http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1', 'not_https'],
    ['//api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1', 'not_a_url'],
    ['https://evil.example/photo.png', 'not_carrier_host'],
    ['https://api.twilio.com.evil.example/photo.png', 'not_carrier_host'],
    ['https://api.twilio.com@evil.example/photo.png', 'not_carrier_host'],
    ['https://user:pw@api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1', 'not_carrier_host'],
    ['https://api.twilio.com:8443/2010-04-01/Accounts/AC1/Recordings/RE1', 'not_carrier_host'],
    ['https://evilapi.twilio.com/x', 'not_carrier_host'],
    ['https://www.twilio.com/x', 'not_carrier_host'],
    ['https://media.twiliocdn.com/x', 'not_carrier_host'],
    ['https://api.evil.twilio.com/x', 'not_carrier_host'],
    ['https://api.twilio.com/a\tb', 'not_a_url'],
    [' https://api.twilio.com/a', 'not_a_url'],
    ['', 'not_a_url'],
  ])('drops %s (%s)', (url, why) => expect(checkMediaUrl(url)).toBe(why));

  test('a URL of exactly 2,048 characters is kept; one more is dropped (too_long)', () => {
    const exact = `${MEDIA}?p=${'x'.repeat(MAX_MEDIA_URL_LENGTH - MEDIA.length - 3)}`;
    expect(exact).toHaveLength(MAX_MEDIA_URL_LENGTH);
    expect(isCarrierMediaUrl(exact)).toBe(true);
    expect(checkMediaUrl(`${exact}x`)).toBe('too_long');
  });

  test('anything but a string is not a URL', () => {
    expect(isCarrierMediaUrl(undefined)).toBe(false);
    expect(isCarrierMediaUrl({ toString: () => RECORDING })).toBe(false);
  });
});

describe('limitTextBody', () => {
  test('a body of 1,600 characters is kept as it is', () => {
    const body = 'a'.repeat(MAX_SMS_TEXT);
    expect(limitTextBody(body)).toEqual({ body });
  });

  test('a longer body is cut to 1,600 characters, the marker "… [truncated]" included', () => {
    const { body, truncatedFrom } = limitTextBody('b'.repeat(500 * 1024));
    expect(TRUNCATION_MARKER).toBe('… [truncated]');
    expect(Array.from(body)).toHaveLength(MAX_SMS_TEXT);
    expect(body.endsWith('b… [truncated]')).toBe(true);
    expect(truncatedFrom).toBe(500 * 1024);
  });

  test('characters are counted whole: an emoji is never split in two', () => {
    const emoji = '😀'.repeat(MAX_SMS_TEXT); // 3,200 UTF-16 units, 1,600 characters
    expect(limitTextBody(emoji)).toEqual({ body: emoji });
    const { body } = limitTextBody(`${emoji}😀`);
    expect(Array.from(body)).toHaveLength(MAX_SMS_TEXT);
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(body.startsWith('😀')).toBe(true);
  });
});

describe('incomingText keeps what can be stored and shown', () => {
  const text = { MessageSid: `MM${'1'.repeat(32)}`, From: '+15550109999', To: '+15550100001' };

  test('a Twilio text is kept as posted, with nothing cut', () => {
    expect(incomingText({ ...text, Body: 'hi', NumMedia: '1', MediaUrl0: MEDIA, MediaContentType0: 'image/jpeg' })).toEqual({
      sid: text.MessageSid, from: text.From, to: text.To, body: 'hi', media: [{ url: MEDIA, contentType: 'image/jpeg' }],
    });
  });

  test('javascript:, data:, other hosts and over-long URLs are dropped, and so is media past the 10th', () => {
    const urls = [MEDIA, 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'https://evil.example/a.png', `${MEDIA}?${'x'.repeat(3000)}`];
    const twelve = Array.from({ length: 12 }, (_, i) => urls[i] ?? `${MEDIA}${i}`);
    const params = { ...text, Body: 'media', NumMedia: '12', ...Object.fromEntries(twelve.map((u, i) => [`MediaUrl${i}`, u])) };
    const result = incomingText(params)!;
    expect(result.media.map((m) => m.url)).toEqual([MEDIA, ...twelve.slice(5, 10)]);
    expect(result.cut).toEqual({
      droppedMedia: [
        { index: 1, reason: 'not_https' },
        { index: 2, reason: 'not_https' },
        { index: 3, reason: 'not_carrier_host' },
        { index: 4, reason: 'too_long' },
        { index: 10, reason: 'over_10' },
        { index: 11, reason: 'over_10' },
      ],
    });
  });

  test('a body over 1,600 characters is cut with the marker, and says how long it was', () => {
    const result = incomingText({ ...text, Body: 'z'.repeat(2000) })!;
    expect(result.body).toBe(`${'z'.repeat(MAX_SMS_TEXT - TRUNCATION_MARKER.length)}${TRUNCATION_MARKER}`);
    expect(result.cut).toEqual({ bodyChars: 2000, droppedMedia: [] });
  });

  test('a huge NumMedia does not make the webhook loop over it', () => {
    const started = Date.now();
    expect(incomingText({ ...text, NumMedia: '1000000000' })!.media).toEqual([]);
    expect(Date.now() - started).toBeLessThan(100);
  });
});

describe('the dashboard renders only Twilio’s https URLs (web/src/media-links.ts)', () => {
  test('a recording URL is played only when it is Twilio’s', () => {
    expect(safeMediaUrl(RECORDING)).toBe(RECORDING);
    expect(safeMediaUrl('javascript:alert(document.domain)')).toBeUndefined();
    expect(safeMediaUrl('https://evil.example/a.mp3')).toBeUndefined();
    expect(safeMediaUrl(undefined)).toBeUndefined();
  });

  test('an attachment is an image, a player or a link only when its URL is Twilio’s; else it is blocked', () => {
    expect(mediaView({ url: MEDIA, contentType: 'image/png' })).toEqual({ kind: 'image', url: MEDIA, contentType: 'image/png' });
    expect(mediaView({ url: MEDIA, contentType: 'audio/mpeg' })).toEqual({ kind: 'audio', url: MEDIA, contentType: 'audio/mpeg' });
    expect(mediaView({ url: MEDIA, contentType: 'application/pdf' })).toEqual({ kind: 'file', url: MEDIA, contentType: 'application/pdf' });
    expect(mediaView(`${MEDIA}.png`)).toEqual({ kind: 'image', url: `${MEDIA}.png`, contentType: '' });
    expect(mediaView({ url: 'javascript:alert(1)', contentType: 'image/png' })).toEqual({ kind: 'blocked', contentType: 'image/png' });
    expect(mediaView('data:image/png;base64,iVBORw0KGgo=')).toEqual({ kind: 'blocked', contentType: '' });
    expect(mediaView({ url: 'https://evil.example/x.pdf', contentType: 'application/pdf' })).toEqual({ kind: 'blocked', contentType: 'application/pdf' });
  });
});
