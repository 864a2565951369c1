// The domain is pure (STYLE.md, DESIGN.md): lambdas/flows/ knows nothing of AWS, HTTP, storage or the
// carrier. At run time a flows/ file imports only other flows/ files and zod; the one type-only exception
// is the twilio library's TwiML types, which say-voices.ts checks its voice lists against at compile.
import { relative } from 'node:path';
import { importsOf, LAMBDAS, tsFiles } from '../support/imports';

const FLOWS = `${LAMBDAS}/flows`;
const TYPE_ONLY_ALLOWED = new Set(['twilio/lib/twiml/VoiceResponse']);

test('every import of lambdas/flows/ is another flows/ file or zod (a type-only one may name the twilio library’s TwiML types)', () => {
  const files = tsFiles(FLOWS);
  expect(files.length).toBeGreaterThan(10);
  const outside = files.flatMap((file) =>
    importsOf(file)
      .filter(({ specifier, kind }) => {
        if (specifier === 'zod') return false;
        if (specifier.startsWith('./')) return false;
        return !(kind === 'type' && TYPE_ONLY_ALLOWED.has(specifier));
      })
      .map(({ specifier, kind }) => `flows/${relative(FLOWS, file)} imports ${kind === 'type' ? 'type from ' : ''}${specifier}`),
  );
  expect(outside).toEqual([]);
});
