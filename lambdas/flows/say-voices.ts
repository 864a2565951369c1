// The voices and languages <Say> accepts: copied from the twilio library (6.2.0) types SayVoice and
// SayLanguage (twilio/lib/twiml/VoiceResponse.d.ts). test/unit/say-voices.test.ts asserts they equal the
// installed library's lists, and the type checks below fail the build when the library adds or drops one.
// Only the flow document schema imports this file: the webhook bundles never carry the lists.
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse';

// The library does not export the unions themselves, only the attributes that use them.
type SayVoice = NonNullable<VoiceResponse.SayAttributes['voice']>;
type SayLanguage = NonNullable<VoiceResponse.SayAttributes['language']>;

export const SAY_VOICES = [
  'man', 'woman', 'alice', 'Google.af-ZA-Standard-A', 'Google.am-ET-Standard-A', 'Google.am-ET-Standard-B',
  'Google.am-ET-Wavenet-A', 'Google.am-ET-Wavenet-B', 'Google.ar-XA-Chirp3-HD-Aoede',
  'Google.ar-XA-Chirp3-HD-Charon', 'Google.ar-XA-Chirp3-HD-Fenrir', 'Google.ar-XA-Chirp3-HD-Kore',
  'Google.ar-XA-Chirp3-HD-Leda', 'Google.ar-XA-Chirp3-HD-Orus', 'Google.ar-XA-Chirp3-HD-Puck',
  'Google.ar-XA-Chirp3-HD-Zephyr', 'Google.ar-XA-Standard-A', 'Google.ar-XA-Standard-B', 'Google.ar-XA-Standard-C',
  'Google.ar-XA-Standard-D', 'Google.ar-XA-Wavenet-A', 'Google.ar-XA-Wavenet-B', 'Google.ar-XA-Wavenet-C',
  'Google.ar-XA-Wavenet-D', 'Google.bg-BG-Standard-A', 'Google.bg-BG-Standard-B', 'Google.bn-IN-Chirp3-HD-Aoede',
  'Google.bn-IN-Chirp3-HD-Charon', 'Google.bn-IN-Chirp3-HD-Fenrir', 'Google.bn-IN-Chirp3-HD-Kore',
  'Google.bn-IN-Chirp3-HD-Leda', 'Google.bn-IN-Chirp3-HD-Orus', 'Google.bn-IN-Chirp3-HD-Puck',
  'Google.bn-IN-Chirp3-HD-Zephyr', 'Google.bn-IN-Standard-A', 'Google.bn-IN-Standard-B', 'Google.bn-IN-Standard-C',
  'Google.bn-IN-Standard-D', 'Google.bn-IN-Wavenet-A', 'Google.bn-IN-Wavenet-B', 'Google.bn-IN-Wavenet-C',
  'Google.bn-IN-Wavenet-D', 'Google.ca-ES-Standard-A', 'Google.ca-ES-Standard-B', 'Google.cmn-CN-Chirp3-HD-Aoede',
  'Google.cmn-CN-Chirp3-HD-Charon', 'Google.cmn-CN-Chirp3-HD-Fenrir', 'Google.cmn-CN-Chirp3-HD-Kore',
  'Google.cmn-CN-Chirp3-HD-Leda', 'Google.cmn-CN-Chirp3-HD-Orus', 'Google.cmn-CN-Chirp3-HD-Puck',
  'Google.cmn-CN-Chirp3-HD-Zephyr', 'Google.cmn-CN-Standard-A', 'Google.cmn-CN-Standard-B',
  'Google.cmn-CN-Standard-C', 'Google.cmn-CN-Standard-D', 'Google.cmn-CN-Wavenet-A', 'Google.cmn-CN-Wavenet-B',
  'Google.cmn-CN-Wavenet-C', 'Google.cmn-CN-Wavenet-D', 'Google.cmn-TW-Standard-A', 'Google.cmn-TW-Standard-B',
  'Google.cmn-TW-Standard-C', 'Google.cmn-TW-Wavenet-A', 'Google.cmn-TW-Wavenet-B', 'Google.cmn-TW-Wavenet-C',
  'Google.cs-CZ-Standard-A', 'Google.cs-CZ-Standard-B', 'Google.cs-CZ-Wavenet-A', 'Google.cs-CZ-Wavenet-B',
  'Google.da-DK-Neural2-D', 'Google.da-DK-Neural2-F', 'Google.da-DK-Standard-A', 'Google.da-DK-Standard-C',
  'Google.da-DK-Standard-D', 'Google.da-DK-Standard-E', 'Google.da-DK-Standard-F', 'Google.da-DK-Standard-G',
  'Google.da-DK-Wavenet-A', 'Google.da-DK-Wavenet-C', 'Google.da-DK-Wavenet-D', 'Google.da-DK-Wavenet-E',
  'Google.da-DK-Wavenet-F', 'Google.da-DK-Wavenet-G', 'Google.de-DE-Chirp3-HD-Aoede',
  'Google.de-DE-Chirp3-HD-Charon', 'Google.de-DE-Chirp3-HD-Fenrir', 'Google.de-DE-Chirp3-HD-Kore',
  'Google.de-DE-Chirp3-HD-Leda', 'Google.de-DE-Chirp3-HD-Orus', 'Google.de-DE-Chirp3-HD-Puck',
  'Google.de-DE-Chirp3-HD-Zephyr', 'Google.de-DE-Neural2-A', 'Google.de-DE-Neural2-B', 'Google.de-DE-Neural2-C',
  'Google.de-DE-Neural2-D', 'Google.de-DE-Neural2-F', 'Google.de-DE-Neural2-G', 'Google.de-DE-Neural2-H',
  'Google.de-DE-Standard-A', 'Google.de-DE-Standard-B', 'Google.de-DE-Standard-C', 'Google.de-DE-Standard-D',
  'Google.de-DE-Standard-E', 'Google.de-DE-Standard-F', 'Google.de-DE-Standard-G', 'Google.de-DE-Standard-H',
  'Google.de-DE-Wavenet-A', 'Google.de-DE-Wavenet-B', 'Google.de-DE-Wavenet-C', 'Google.de-DE-Wavenet-D',
  'Google.de-DE-Wavenet-E', 'Google.de-DE-Wavenet-F', 'Google.de-DE-Wavenet-G', 'Google.de-DE-Wavenet-H',
  'Google.el-GR-Standard-A', 'Google.el-GR-Standard-B', 'Google.el-GR-Wavenet-A', 'Google.el-GR-Wavenet-B',
  'Google.en-AU-Chirp3-HD-Aoede', 'Google.en-AU-Chirp3-HD-Charon', 'Google.en-AU-Chirp3-HD-Fenrir',
  'Google.en-AU-Chirp3-HD-Kore', 'Google.en-AU-Chirp3-HD-Leda', 'Google.en-AU-Chirp3-HD-Orus',
  'Google.en-AU-Chirp3-HD-Puck', 'Google.en-AU-Chirp3-HD-Zephyr', 'Google.en-AU-Neural2-A', 'Google.en-AU-Neural2-B',
  'Google.en-AU-Neural2-C', 'Google.en-AU-Neural2-D', 'Google.en-AU-Standard-A', 'Google.en-AU-Standard-B',
  'Google.en-AU-Standard-C', 'Google.en-AU-Standard-D', 'Google.en-AU-Wavenet-A', 'Google.en-AU-Wavenet-B',
  'Google.en-AU-Wavenet-C', 'Google.en-AU-Wavenet-D', 'Google.en-GB-Chirp3-HD-Aoede',
  'Google.en-GB-Chirp3-HD-Charon', 'Google.en-GB-Chirp3-HD-Fenrir', 'Google.en-GB-Chirp3-HD-Kore',
  'Google.en-GB-Chirp3-HD-Leda', 'Google.en-GB-Chirp3-HD-Orus', 'Google.en-GB-Chirp3-HD-Puck',
  'Google.en-GB-Chirp3-HD-Zephyr', 'Google.en-GB-Neural2-A', 'Google.en-GB-Neural2-B', 'Google.en-GB-Neural2-C',
  'Google.en-GB-Neural2-D', 'Google.en-GB-Neural2-F', 'Google.en-GB-Neural2-N', 'Google.en-GB-Neural2-O',
  'Google.en-GB-Standard-A', 'Google.en-GB-Standard-B', 'Google.en-GB-Standard-C', 'Google.en-GB-Standard-D',
  'Google.en-GB-Standard-F', 'Google.en-GB-Standard-N', 'Google.en-GB-Standard-O', 'Google.en-GB-Wavenet-A',
  'Google.en-GB-Wavenet-B', 'Google.en-GB-Wavenet-C', 'Google.en-GB-Wavenet-D', 'Google.en-GB-Wavenet-F',
  'Google.en-GB-Wavenet-N', 'Google.en-GB-Wavenet-O', 'Google.en-IN-Chirp3-HD-Aoede',
  'Google.en-IN-Chirp3-HD-Charon', 'Google.en-IN-Chirp3-HD-Fenrir', 'Google.en-IN-Chirp3-HD-Kore',
  'Google.en-IN-Chirp3-HD-Leda', 'Google.en-IN-Chirp3-HD-Orus', 'Google.en-IN-Chirp3-HD-Puck',
  'Google.en-IN-Chirp3-HD-Zephyr', 'Google.en-IN-Neural2-A', 'Google.en-IN-Neural2-B', 'Google.en-IN-Neural2-C',
  'Google.en-IN-Neural2-D', 'Google.en-IN-Standard-A', 'Google.en-IN-Standard-B', 'Google.en-IN-Standard-C',
  'Google.en-IN-Standard-D', 'Google.en-IN-Standard-E', 'Google.en-IN-Standard-F', 'Google.en-IN-Wavenet-A',
  'Google.en-IN-Wavenet-B', 'Google.en-IN-Wavenet-C', 'Google.en-IN-Wavenet-D', 'Google.en-IN-Wavenet-E',
  'Google.en-IN-Wavenet-F', 'Google.en-US-Chirp3-HD-Aoede', 'Google.en-US-Chirp3-HD-Charon',
  'Google.en-US-Chirp3-HD-Fenrir', 'Google.en-US-Chirp3-HD-Kore', 'Google.en-US-Chirp3-HD-Leda',
  'Google.en-US-Chirp3-HD-Orus', 'Google.en-US-Chirp3-HD-Puck', 'Google.en-US-Chirp3-HD-Zephyr',
  'Google.en-US-Neural2-A', 'Google.en-US-Neural2-C', 'Google.en-US-Neural2-D', 'Google.en-US-Neural2-E',
  'Google.en-US-Neural2-F', 'Google.en-US-Neural2-G', 'Google.en-US-Neural2-H', 'Google.en-US-Neural2-I',
  'Google.en-US-Neural2-J', 'Google.en-US-Standard-A', 'Google.en-US-Standard-B', 'Google.en-US-Standard-C',
  'Google.en-US-Standard-D', 'Google.en-US-Standard-E', 'Google.en-US-Standard-F', 'Google.en-US-Standard-G',
  'Google.en-US-Standard-H', 'Google.en-US-Standard-I', 'Google.en-US-Standard-J', 'Google.en-US-Wavenet-A',
  'Google.en-US-Wavenet-B', 'Google.en-US-Wavenet-C', 'Google.en-US-Wavenet-D', 'Google.en-US-Wavenet-E',
  'Google.en-US-Wavenet-F', 'Google.en-US-Wavenet-G', 'Google.en-US-Wavenet-H', 'Google.en-US-Wavenet-I',
  'Google.en-US-Wavenet-J', 'Google.es-ES-Chirp3-HD-Aoede', 'Google.es-ES-Chirp3-HD-Charon',
  'Google.es-ES-Chirp3-HD-Fenrir', 'Google.es-ES-Chirp3-HD-Kore', 'Google.es-ES-Chirp3-HD-Leda',
  'Google.es-ES-Chirp3-HD-Orus', 'Google.es-ES-Chirp3-HD-Puck', 'Google.es-ES-Chirp3-HD-Zephyr',
  'Google.es-ES-Neural2-A', 'Google.es-ES-Neural2-B', 'Google.es-ES-Neural2-C', 'Google.es-ES-Neural2-D',
  'Google.es-ES-Neural2-E', 'Google.es-ES-Neural2-F', 'Google.es-ES-Neural2-G', 'Google.es-ES-Neural2-H',
  'Google.es-ES-Standard-A', 'Google.es-ES-Standard-B', 'Google.es-ES-Standard-C', 'Google.es-ES-Standard-D',
  'Google.es-ES-Standard-E', 'Google.es-ES-Standard-F', 'Google.es-ES-Standard-G', 'Google.es-ES-Standard-H',
  'Google.es-ES-Wavenet-B', 'Google.es-ES-Wavenet-C', 'Google.es-ES-Wavenet-D', 'Google.es-ES-Wavenet-E',
  'Google.es-ES-Wavenet-F', 'Google.es-ES-Wavenet-G', 'Google.es-ES-Wavenet-H', 'Google.es-US-Chirp3-HD-Aoede',
  'Google.es-US-Chirp3-HD-Charon', 'Google.es-US-Chirp3-HD-Fenrir', 'Google.es-US-Chirp3-HD-Kore',
  'Google.es-US-Chirp3-HD-Leda', 'Google.es-US-Chirp3-HD-Orus', 'Google.es-US-Chirp3-HD-Puck',
  'Google.es-US-Chirp3-HD-Zephyr', 'Google.es-US-Neural2-A', 'Google.es-US-Neural2-B', 'Google.es-US-Neural2-C',
  'Google.es-US-Standard-A', 'Google.es-US-Standard-B', 'Google.es-US-Standard-C', 'Google.es-US-Wavenet-A',
  'Google.es-US-Wavenet-B', 'Google.es-US-Wavenet-C', 'Google.eu-ES-Standard-A', 'Google.eu-ES-Standard-B',
  'Google.fi-FI-Standard-A', 'Google.fi-FI-Standard-B', 'Google.fi-FI-Wavenet-A', 'Google.fi-FI-Wavenet-B',
  'Google.fil-ph-Neural2-A', 'Google.fil-ph-Neural2-D', 'Google.fil-PH-Standard-A', 'Google.fil-PH-Standard-B',
  'Google.fil-PH-Standard-C', 'Google.fil-PH-Standard-D', 'Google.fil-PH-Wavenet-A', 'Google.fil-PH-Wavenet-B',
  'Google.fil-PH-Wavenet-C', 'Google.fil-PH-Wavenet-D', 'Google.fr-CA-Chirp3-HD-Aoede',
  'Google.fr-CA-Chirp3-HD-Charon', 'Google.fr-CA-Chirp3-HD-Fenrir', 'Google.fr-CA-Chirp3-HD-Kore',
  'Google.fr-CA-Chirp3-HD-Leda', 'Google.fr-CA-Chirp3-HD-Orus', 'Google.fr-CA-Chirp3-HD-Puck',
  'Google.fr-CA-Chirp3-HD-Zephyr', 'Google.fr-CA-Neural2-A', 'Google.fr-CA-Neural2-B', 'Google.fr-CA-Neural2-C',
  'Google.fr-CA-Neural2-D', 'Google.fr-CA-Standard-A', 'Google.fr-CA-Standard-B', 'Google.fr-CA-Standard-C',
  'Google.fr-CA-Standard-D', 'Google.fr-CA-Wavenet-A', 'Google.fr-CA-Wavenet-B', 'Google.fr-CA-Wavenet-C',
  'Google.fr-CA-Wavenet-D', 'Google.fr-FR-Chirp3-HD-Aoede', 'Google.fr-FR-Chirp3-HD-Charon',
  'Google.fr-FR-Chirp3-HD-Fenrir', 'Google.fr-FR-Chirp3-HD-Kore', 'Google.fr-FR-Chirp3-HD-Leda',
  'Google.fr-FR-Chirp3-HD-Orus', 'Google.fr-FR-Chirp3-HD-Puck', 'Google.fr-FR-Chirp3-HD-Zephyr',
  'Google.fr-FR-Neural2-A', 'Google.fr-FR-Neural2-B', 'Google.fr-FR-Neural2-C', 'Google.fr-FR-Neural2-D',
  'Google.fr-FR-Neural2-E', 'Google.fr-FR-Neural2-F', 'Google.fr-FR-Neural2-G', 'Google.fr-FR-Standard-A',
  'Google.fr-FR-Standard-B', 'Google.fr-FR-Standard-C', 'Google.fr-FR-Standard-D', 'Google.fr-FR-Standard-E',
  'Google.fr-FR-Standard-F', 'Google.fr-FR-Standard-G', 'Google.fr-FR-Wavenet-A', 'Google.fr-FR-Wavenet-B',
  'Google.fr-FR-Wavenet-C', 'Google.fr-FR-Wavenet-D', 'Google.fr-FR-Wavenet-E', 'Google.fr-FR-Wavenet-F',
  'Google.fr-FR-Wavenet-G', 'Google.gl-ES-Standard-A', 'Google.gl-ES-Standard-B', 'Google.gu-IN-Chirp3-HD-Aoede',
  'Google.gu-IN-Chirp3-HD-Charon', 'Google.gu-IN-Chirp3-HD-Fenrir', 'Google.gu-IN-Chirp3-HD-Kore',
  'Google.gu-IN-Chirp3-HD-Leda', 'Google.gu-IN-Chirp3-HD-Orus', 'Google.gu-IN-Chirp3-HD-Puck',
  'Google.gu-IN-Chirp3-HD-Zephyr', 'Google.gu-IN-Standard-A', 'Google.gu-IN-Standard-B', 'Google.gu-IN-Standard-C',
  'Google.gu-IN-Standard-D', 'Google.gu-IN-Wavenet-A', 'Google.gu-IN-Wavenet-B', 'Google.gu-IN-Wavenet-C',
  'Google.gu-IN-Wavenet-D', 'Google.he-IL-Standard-A', 'Google.he-IL-Standard-B', 'Google.he-IL-Standard-C',
  'Google.he-IL-Standard-D', 'Google.he-IL-Wavenet-A', 'Google.he-IL-Wavenet-B', 'Google.he-IL-Wavenet-C',
  'Google.he-IL-Wavenet-D', 'Google.hi-IN-Chirp3-HD-Aoede', 'Google.hi-IN-Chirp3-HD-Charon',
  'Google.hi-IN-Chirp3-HD-Fenrir', 'Google.hi-IN-Chirp3-HD-Kore', 'Google.hi-IN-Chirp3-HD-Leda',
  'Google.hi-IN-Chirp3-HD-Orus', 'Google.hi-IN-Chirp3-HD-Puck', 'Google.hi-IN-Chirp3-HD-Zephyr',
  'Google.hi-IN-Neural2-A', 'Google.hi-IN-Neural2-B', 'Google.hi-IN-Neural2-C', 'Google.hi-IN-Neural2-D',
  'Google.hi-IN-Standard-A', 'Google.hi-IN-Standard-B', 'Google.hi-IN-Standard-C', 'Google.hi-IN-Standard-D',
  'Google.hi-IN-Standard-E', 'Google.hi-IN-Standard-F', 'Google.hi-IN-Wavenet-A', 'Google.hi-IN-Wavenet-B',
  'Google.hi-IN-Wavenet-C', 'Google.hi-IN-Wavenet-D', 'Google.hi-IN-Wavenet-E', 'Google.hi-IN-Wavenet-F',
  'Google.hu-HU-Standard-A', 'Google.hu-HU-Standard-B', 'Google.hu-HU-Wavenet-A', 'Google.id-ID-Chirp3-HD-Aoede',
  'Google.id-ID-Chirp3-HD-Charon', 'Google.id-ID-Chirp3-HD-Fenrir', 'Google.id-ID-Chirp3-HD-Kore',
  'Google.id-ID-Chirp3-HD-Leda', 'Google.id-ID-Chirp3-HD-Orus', 'Google.id-ID-Chirp3-HD-Puck',
  'Google.id-ID-Chirp3-HD-Zephyr', 'Google.id-ID-Standard-A', 'Google.id-ID-Standard-B', 'Google.id-ID-Standard-C',
  'Google.id-ID-Standard-D', 'Google.id-ID-Wavenet-A', 'Google.id-ID-Wavenet-B', 'Google.id-ID-Wavenet-C',
  'Google.id-ID-Wavenet-D', 'Google.is-IS-Standard-A', 'Google.is-IS-Standard-B', 'Google.it-IT-Chirp3-HD-Aoede',
  'Google.it-IT-Chirp3-HD-Charon', 'Google.it-IT-Chirp3-HD-Fenrir', 'Google.it-IT-Chirp3-HD-Kore',
  'Google.it-IT-Chirp3-HD-Leda', 'Google.it-IT-Chirp3-HD-Orus', 'Google.it-IT-Chirp3-HD-Puck',
  'Google.it-IT-Chirp3-HD-Zephyr', 'Google.it-IT-Neural2-A', 'Google.it-IT-Neural2-C', 'Google.it-IT-Neural2-F',
  'Google.it-IT-Standard-A', 'Google.it-IT-Standard-B', 'Google.it-IT-Standard-C', 'Google.it-IT-Standard-D',
  'Google.it-IT-Standard-E', 'Google.it-IT-Standard-F', 'Google.it-IT-Wavenet-A', 'Google.it-IT-Wavenet-B',
  'Google.it-IT-Wavenet-C', 'Google.it-IT-Wavenet-D', 'Google.it-IT-Wavenet-E', 'Google.it-IT-Wavenet-F',
  'Google.ja-JP-Chirp3-HD-Aoede', 'Google.ja-JP-Chirp3-HD-Charon', 'Google.ja-JP-Chirp3-HD-Fenrir',
  'Google.ja-JP-Chirp3-HD-Kore', 'Google.ja-JP-Chirp3-HD-Leda', 'Google.ja-JP-Chirp3-HD-Orus',
  'Google.ja-JP-Chirp3-HD-Puck', 'Google.ja-JP-Chirp3-HD-Zephyr', 'Google.ja-JP-Neural2-B', 'Google.ja-JP-Neural2-C',
  'Google.ja-JP-Neural2-D', 'Google.ja-JP-Standard-A', 'Google.ja-JP-Standard-B', 'Google.ja-JP-Standard-C',
  'Google.ja-JP-Standard-D', 'Google.ja-JP-Wavenet-A', 'Google.ja-JP-Wavenet-B', 'Google.ja-JP-Wavenet-C',
  'Google.ja-JP-Wavenet-D', 'Google.kn-IN-Chirp3-HD-Aoede', 'Google.kn-IN-Chirp3-HD-Charon',
  'Google.kn-IN-Chirp3-HD-Fenrir', 'Google.kn-IN-Chirp3-HD-Kore', 'Google.kn-IN-Chirp3-HD-Leda',
  'Google.kn-IN-Chirp3-HD-Orus', 'Google.kn-IN-Chirp3-HD-Puck', 'Google.kn-IN-Chirp3-HD-Zephyr',
  'Google.kn-IN-Standard-A', 'Google.kn-IN-Standard-B', 'Google.kn-IN-Standard-C', 'Google.kn-IN-Standard-D',
  'Google.kn-IN-Wavenet-A', 'Google.kn-IN-Wavenet-B', 'Google.kn-IN-Wavenet-C', 'Google.kn-IN-Wavenet-D',
  'Google.ko-KR-Chirp3-HD-Aoede', 'Google.ko-KR-Chirp3-HD-Charon', 'Google.ko-KR-Chirp3-HD-Fenrir',
  'Google.ko-KR-Chirp3-HD-Kore', 'Google.ko-KR-Chirp3-HD-Leda', 'Google.ko-KR-Chirp3-HD-Orus',
  'Google.ko-KR-Chirp3-HD-Puck', 'Google.ko-KR-Chirp3-HD-Zephyr', 'Google.ko-KR-Neural2-A', 'Google.ko-KR-Neural2-B',
  'Google.ko-KR-Neural2-C', 'Google.ko-KR-Standard-A', 'Google.ko-KR-Standard-B', 'Google.ko-KR-Standard-C',
  'Google.ko-KR-Standard-D', 'Google.ko-KR-Wavenet-A', 'Google.ko-KR-Wavenet-B', 'Google.ko-KR-Wavenet-C',
  'Google.ko-KR-Wavenet-D', 'Google.lt-LT-Standard-A', 'Google.lt-LT-Standard-B', 'Google.lv-LV-Standard-A',
  'Google.lv-LV-Standard-B', 'Google.ml-IN-Chirp3-HD-Aoede', 'Google.ml-IN-Chirp3-HD-Charon',
  'Google.ml-IN-Chirp3-HD-Fenrir', 'Google.ml-IN-Chirp3-HD-Kore', 'Google.ml-IN-Chirp3-HD-Leda',
  'Google.ml-IN-Chirp3-HD-Orus', 'Google.ml-IN-Chirp3-HD-Puck', 'Google.ml-IN-Chirp3-HD-Zephyr',
  'Google.ml-IN-Standard-A', 'Google.ml-IN-Standard-B', 'Google.ml-IN-Standard-C', 'Google.ml-IN-Standard-D',
  'Google.ml-IN-Wavenet-A', 'Google.ml-IN-Wavenet-B', 'Google.ml-IN-Wavenet-C', 'Google.ml-IN-Wavenet-D',
  'Google.mr-IN-Chirp3-HD-Aoede', 'Google.mr-IN-Chirp3-HD-Charon', 'Google.mr-IN-Chirp3-HD-Fenrir',
  'Google.mr-IN-Chirp3-HD-Kore', 'Google.mr-IN-Chirp3-HD-Leda', 'Google.mr-IN-Chirp3-HD-Orus',
  'Google.mr-IN-Chirp3-HD-Puck', 'Google.mr-IN-Chirp3-HD-Zephyr', 'Google.mr-IN-Standard-A',
  'Google.mr-IN-Standard-B', 'Google.mr-IN-Standard-C', 'Google.mr-IN-Wavenet-A', 'Google.mr-IN-Wavenet-B',
  'Google.mr-IN-Wavenet-C', 'Google.ms-MY-Standard-A', 'Google.ms-MY-Standard-B', 'Google.ms-MY-Standard-C',
  'Google.ms-MY-Standard-D', 'Google.ms-MY-Wavenet-A', 'Google.ms-MY-Wavenet-B', 'Google.ms-MY-Wavenet-C',
  'Google.ms-MY-Wavenet-D', 'Google.nb-NO-Standard-A', 'Google.nb-NO-Standard-B', 'Google.nb-NO-Standard-C',
  'Google.nb-NO-Standard-D', 'Google.nb-NO-Standard-E', 'Google.nb-NO-Standard-F', 'Google.nb-NO-Standard-G',
  'Google.nb-NO-Wavenet-A', 'Google.nb-NO-Wavenet-B', 'Google.nb-NO-Wavenet-C', 'Google.nb-NO-Wavenet-D',
  'Google.nb-NO-Wavenet-E', 'Google.nb-NO-Wavenet-F', 'Google.nb-NO-Wavenet-G', 'Google.nl-BE-Standard-A',
  'Google.nl-BE-Standard-B', 'Google.nl-BE-Standard-C', 'Google.nl-BE-Standard-D', 'Google.nl-BE-Wavenet-A',
  'Google.nl-BE-Wavenet-B', 'Google.nl-BE-Wavenet-C', 'Google.nl-BE-Wavenet-D', 'Google.nl-NL-Chirp3-HD-Aoede',
  'Google.nl-NL-Chirp3-HD-Charon', 'Google.nl-NL-Chirp3-HD-Fenrir', 'Google.nl-NL-Chirp3-HD-Kore',
  'Google.nl-NL-Chirp3-HD-Leda', 'Google.nl-NL-Chirp3-HD-Orus', 'Google.nl-NL-Chirp3-HD-Puck',
  'Google.nl-NL-Chirp3-HD-Zephyr', 'Google.nl-NL-Standard-A', 'Google.nl-NL-Standard-B', 'Google.nl-NL-Standard-C',
  'Google.nl-NL-Standard-D', 'Google.nl-NL-Standard-E', 'Google.nl-NL-Standard-F', 'Google.nl-NL-Standard-G',
  'Google.nl-NL-Wavenet-A', 'Google.nl-NL-Wavenet-B', 'Google.nl-NL-Wavenet-C', 'Google.nl-NL-Wavenet-D',
  'Google.nl-NL-Wavenet-E', 'Google.nl-NL-Wavenet-F', 'Google.nl-NL-Wavenet-G', 'Google.pa-IN-Standard-A',
  'Google.pa-IN-Standard-B', 'Google.pa-IN-Standard-C', 'Google.pa-IN-Standard-D', 'Google.pa-IN-Wavenet-A',
  'Google.pa-IN-Wavenet-B', 'Google.pa-IN-Wavenet-C', 'Google.pa-IN-Wavenet-D', 'Google.pl-PL-Chirp3-HD-Aoede',
  'Google.pl-PL-Chirp3-HD-Charon', 'Google.pl-PL-Chirp3-HD-Fenrir', 'Google.pl-PL-Chirp3-HD-Kore',
  'Google.pl-PL-Chirp3-HD-Leda', 'Google.pl-PL-Chirp3-HD-Orus', 'Google.pl-PL-Chirp3-HD-Puck',
  'Google.pl-PL-Chirp3-HD-Zephyr', 'Google.pl-PL-Standard-A', 'Google.pl-PL-Standard-B', 'Google.pl-PL-Standard-C',
  'Google.pl-PL-Standard-D', 'Google.pl-PL-Standard-E', 'Google.pl-PL-Standard-F', 'Google.pl-PL-Standard-G',
  'Google.pl-PL-Wavenet-A', 'Google.pl-PL-Wavenet-B', 'Google.pl-PL-Wavenet-C', 'Google.pl-PL-Wavenet-D',
  'Google.pl-PL-Wavenet-E', 'Google.pl-PL-Wavenet-F', 'Google.pl-PL-Wavenet-G', 'Google.pt-BR-Chirp3-HD-Aoede',
  'Google.pt-BR-Chirp3-HD-Charon', 'Google.pt-BR-Chirp3-HD-Fenrir', 'Google.pt-BR-Chirp3-HD-Kore',
  'Google.pt-BR-Chirp3-HD-Leda', 'Google.pt-BR-Chirp3-HD-Orus', 'Google.pt-BR-Chirp3-HD-Puck',
  'Google.pt-BR-Chirp3-HD-Zephyr', 'Google.pt-BR-Neural2-A', 'Google.pt-BR-Neural2-B', 'Google.pt-BR-Neural2-C',
  'Google.pt-BR-Standard-A', 'Google.pt-BR-Standard-B', 'Google.pt-BR-Standard-C', 'Google.pt-BR-Standard-D',
  'Google.pt-BR-Standard-E', 'Google.pt-BR-Wavenet-A', 'Google.pt-BR-Wavenet-B', 'Google.pt-BR-Wavenet-C',
  'Google.pt-BR-Wavenet-D', 'Google.pt-BR-Wavenet-E', 'Google.pt-PT-Standard-A', 'Google.pt-PT-Standard-B',
  'Google.pt-PT-Standard-C', 'Google.pt-PT-Standard-D', 'Google.pt-PT-Standard-E', 'Google.pt-PT-Standard-F',
  'Google.pt-PT-Wavenet-A', 'Google.pt-PT-Wavenet-B', 'Google.pt-PT-Wavenet-C', 'Google.pt-PT-Wavenet-D',
  'Google.pt-PT-Wavenet-E', 'Google.pt-PT-Wavenet-F', 'Google.ro-RO-Standard-A', 'Google.ro-RO-Standard-B',
  'Google.ro-RO-Wavenet-A', 'Google.ro-RO-Wavenet-B', 'Google.ru-RU-Chirp3-HD-Aoede',
  'Google.ru-RU-Chirp3-HD-Charon', 'Google.ru-RU-Chirp3-HD-Fenrir', 'Google.ru-RU-Chirp3-HD-Kore',
  'Google.ru-RU-Chirp3-HD-Leda', 'Google.ru-RU-Chirp3-HD-Orus', 'Google.ru-RU-Chirp3-HD-Puck',
  'Google.ru-RU-Chirp3-HD-Zephyr', 'Google.ru-RU-Standard-A', 'Google.ru-RU-Standard-B', 'Google.ru-RU-Standard-C',
  'Google.ru-RU-Standard-D', 'Google.ru-RU-Standard-E', 'Google.ru-RU-Wavenet-A', 'Google.ru-RU-Wavenet-B',
  'Google.ru-RU-Wavenet-C', 'Google.ru-RU-Wavenet-D', 'Google.ru-RU-Wavenet-E', 'Google.sk-SK-Standard-A',
  'Google.sk-SK-Standard-B', 'Google.sk-SK-Wavenet-A', 'Google.sk-SK-Wavenet-B', 'Google.sr-RS-Standard-A',
  'Google.sv-SE-Standard-A', 'Google.sv-SE-Standard-B', 'Google.sv-SE-Standard-C', 'Google.sv-SE-Standard-D',
  'Google.sv-SE-Standard-E', 'Google.sv-SE-Standard-F', 'Google.sv-SE-Standard-G', 'Google.sv-SE-Wavenet-A',
  'Google.sv-SE-Wavenet-B', 'Google.sv-SE-Wavenet-C', 'Google.sv-SE-Wavenet-D', 'Google.sv-SE-Wavenet-E',
  'Google.sv-SE-Wavenet-F', 'Google.sv-SE-Wavenet-G', 'Google.ta-IN-Chirp3-HD-Aoede',
  'Google.ta-IN-Chirp3-HD-Charon', 'Google.ta-IN-Chirp3-HD-Fenrir', 'Google.ta-IN-Chirp3-HD-Kore',
  'Google.ta-IN-Chirp3-HD-Leda', 'Google.ta-IN-Chirp3-HD-Orus', 'Google.ta-IN-Chirp3-HD-Puck',
  'Google.ta-IN-Chirp3-HD-Zephyr', 'Google.ta-IN-Standard-A', 'Google.ta-IN-Standard-B', 'Google.ta-IN-Standard-C',
  'Google.ta-IN-Standard-D', 'Google.ta-IN-Wavenet-A', 'Google.ta-IN-Wavenet-B', 'Google.ta-IN-Wavenet-C',
  'Google.ta-IN-Wavenet-D', 'Google.te-IN-Chirp3-HD-Aoede', 'Google.te-IN-Chirp3-HD-Charon',
  'Google.te-IN-Chirp3-HD-Fenrir', 'Google.te-IN-Chirp3-HD-Kore', 'Google.te-IN-Chirp3-HD-Leda',
  'Google.te-IN-Chirp3-HD-Orus', 'Google.te-IN-Chirp3-HD-Puck', 'Google.te-IN-Chirp3-HD-Zephyr',
  'Google.te-IN-Standard-A', 'Google.te-IN-Standard-B', 'Google.te-IN-Standard-C', 'Google.te-IN-Standard-D',
  'Google.th-TH-Chirp3-HD-Aoede', 'Google.th-TH-Chirp3-HD-Charon', 'Google.th-TH-Chirp3-HD-Fenrir',
  'Google.th-TH-Chirp3-HD-Kore', 'Google.th-TH-Chirp3-HD-Leda', 'Google.th-TH-Chirp3-HD-Orus',
  'Google.th-TH-Chirp3-HD-Puck', 'Google.th-TH-Chirp3-HD-Zephyr', 'Google.th-TH-Neural2-C',
  'Google.th-TH-Standard-A', 'Google.tr-TR-Chirp3-HD-Aoede', 'Google.tr-TR-Chirp3-HD-Charon',
  'Google.tr-TR-Chirp3-HD-Fenrir', 'Google.tr-TR-Chirp3-HD-Kore', 'Google.tr-TR-Chirp3-HD-Leda',
  'Google.tr-TR-Chirp3-HD-Orus', 'Google.tr-TR-Chirp3-HD-Puck', 'Google.tr-TR-Chirp3-HD-Zephyr',
  'Google.tr-TR-Standard-A', 'Google.tr-TR-Standard-B', 'Google.tr-TR-Standard-C', 'Google.tr-TR-Standard-D',
  'Google.tr-TR-Standard-E', 'Google.tr-TR-Wavenet-A', 'Google.tr-TR-Wavenet-B', 'Google.tr-TR-Wavenet-C',
  'Google.tr-TR-Wavenet-D', 'Google.tr-TR-Wavenet-E', 'Google.uk-UA-Standard-A', 'Google.uk-UA-Wavenet-A',
  'Google.vi-VN-Chirp3-HD-Aoede', 'Google.vi-VN-Chirp3-HD-Charon', 'Google.vi-VN-Chirp3-HD-Fenrir',
  'Google.vi-VN-Chirp3-HD-Kore', 'Google.vi-VN-Chirp3-HD-Leda', 'Google.vi-VN-Chirp3-HD-Orus',
  'Google.vi-VN-Chirp3-HD-Puck', 'Google.vi-VN-Chirp3-HD-Zephyr', 'Google.vi-VN-Neural2-A', 'Google.vi-VN-Neural2-D',
  'Google.vi-VN-Standard-A', 'Google.vi-VN-Standard-B', 'Google.vi-VN-Standard-C', 'Google.vi-VN-Standard-D',
  'Google.vi-VN-Wavenet-A', 'Google.vi-VN-Wavenet-B', 'Google.vi-VN-Wavenet-C', 'Google.vi-VN-Wavenet-D',
  'Google.yue-HK-Standard-A', 'Google.yue-HK-Standard-B', 'Google.yue-HK-Standard-C', 'Google.yue-HK-Standard-D',
  'Polly.Aditi', 'Polly.Amy', 'Polly.Astrid', 'Polly.Bianca', 'Polly.Brian', 'Polly.Camila', 'Polly.Carla',
  'Polly.Carmen', 'Polly.Celine', 'Polly.Chantal', 'Polly.Conchita', 'Polly.Cristiano', 'Polly.Dora', 'Polly.Emma',
  'Polly.Enrique', 'Polly.Ewa', 'Polly.Filiz', 'Polly.Geraint', 'Polly.Giorgio', 'Polly.Gwyneth', 'Polly.Hans',
  'Polly.Ines', 'Polly.Ivy', 'Polly.Jacek', 'Polly.Jan', 'Polly.Joanna', 'Polly.Joey', 'Polly.Justin', 'Polly.Karl',
  'Polly.Kendra', 'Polly.Kevin', 'Polly.Kimberly', 'Polly.Lea', 'Polly.Liv', 'Polly.Lotte', 'Polly.Lucia',
  'Polly.Lupe', 'Polly.Mads', 'Polly.Maja', 'Polly.Marlene', 'Polly.Mathieu', 'Polly.Matthew', 'Polly.Maxim',
  'Polly.Mia', 'Polly.Miguel', 'Polly.Mizuki', 'Polly.Naja', 'Polly.Nicole', 'Polly.Penelope', 'Polly.Raveena',
  'Polly.Ricardo', 'Polly.Ruben', 'Polly.Russell', 'Polly.Salli', 'Polly.Seoyeon', 'Polly.Takumi', 'Polly.Tatyana',
  'Polly.Vicki', 'Polly.Vitoria', 'Polly.Zeina', 'Polly.Zhiyu', 'Polly.Adriano-Neural', 'Polly.Amy-Neural',
  'Polly.Andres-Neural', 'Polly.Aria-Neural', 'Polly.Arlet-Neural', 'Polly.Arthur-Neural', 'Polly.Ayanda-Neural',
  'Polly.Bianca-Neural', 'Polly.Brian-Neural', 'Polly.Burcu-Neural', 'Polly.Camila-Neural', 'Polly.Daniel-Neural',
  'Polly.Danielle-Neural', 'Polly.Elin-Neural', 'Polly.Emma-Neural', 'Polly.Gabrielle-Neural',
  'Polly.Gregory-Neural', 'Polly.Hala-Neural', 'Polly.Hannah-Neural', 'Polly.Hiujin-Neural', 'Polly.Ida-Neural',
  'Polly.Ines-Neural', 'Polly.Isabelle-Neural', 'Polly.Ivy-Neural', 'Polly.Joanna-Neural', 'Polly.Joey-Neural',
  'Polly.Justin-Neural', 'Polly.Kajal-Neural', 'Polly.Kazuha-Neural', 'Polly.Kendra-Neural', 'Polly.Kevin-Neural',
  'Polly.Kimberly-Neural', 'Polly.Laura-Neural', 'Polly.Lea-Neural', 'Polly.Liam-Neural', 'Polly.Lisa-Neural',
  'Polly.Lucia-Neural', 'Polly.Lupe-Neural', 'Polly.Matthew-Neural', 'Polly.Mia-Neural', 'Polly.Niamh-Neural',
  'Polly.Ola-Neural', 'Polly.Olivia-Neural', 'Polly.Pedro-Neural', 'Polly.Remi-Neural', 'Polly.Ruth-Neural',
  'Polly.Salli-Neural', 'Polly.Seoyeon-Neural', 'Polly.Sergio-Neural', 'Polly.Sofie-Neural', 'Polly.Stephen-Neural',
  'Polly.Suvi-Neural', 'Polly.Takumi-Neural', 'Polly.Thiago-Neural', 'Polly.Tomoko-Neural', 'Polly.Vicki-Neural',
  'Polly.Vitoria-Neural', 'Polly.Zayd-Neural', 'Polly.Zhiyu-Neural', 'Polly.Amy-Generative',
  'Polly.Andres-Generative', 'Polly.Ayanda-Generative', 'Polly.Bianca-Generative', 'Polly.Daniel-Generative',
  'Polly.Danielle-Generative', 'Polly.Joanna-Generative', 'Polly.Kajal-Generative', 'Polly.Lea-Generative',
  'Polly.Lucia-Generative', 'Polly.Lupe-Generative', 'Polly.Matthew-Generative', 'Polly.Mía-Generative',
  'Polly.Olivia-Generative', 'Polly.Pedro-Generative', 'Polly.Rémi-Generative', 'Polly.Ruth-Generative',
  'Polly.Sergio-Generative', 'Polly.Stephen-Generative', 'Polly.Vicki-Generative',
] as const satisfies readonly SayVoice[];

export const SAY_LANGUAGES = [
  'af-ZA', 'am-ET', 'ar-AE', 'ar-XA', 'arb', 'bg-BG', 'bn-IN', 'ca-ES', 'cmn-CN', 'cmn-TW', 'cs-CZ', 'cy-GB',
  'da-DK', 'de-AT', 'de-DE', 'el-GR', 'en-AU', 'en-CA', 'en-GB', 'en-GB-WLS', 'en-IE', 'en-IN', 'en-NZ', 'en-US',
  'en-ZA', 'es-ES', 'es-MX', 'es-US', 'fi-FI', 'fil-PH', 'fr-CA', 'fr-FR', 'fr-BE', 'gu-IN', 'he-IL', 'hi-IN',
  'hu-HU', 'id-ID', 'is-IS', 'it-IT', 'ja-JP', 'kn-IN', 'ko-KR', 'lv-LV', 'ml-IN', 'mr-IN', 'ms-MY', 'nb-NO',
  'nl-BE', 'nl-NL', 'pa-IN', 'pl-PL', 'pt-BR', 'pt-PT', 'ro-RO', 'ru-RU', 'sk-SK', 'sr-RS', 'sv-SE', 'ta-IN',
  'te-IN', 'th-TH', 'tr-TR', 'uk-UA', 'vi-VN', 'yue-HK', 'zh-CN', 'zh-HK', 'zh-TW',
] as const satisfies readonly SayLanguage[];

// Which voice speaks which language. The library lists names only, not pairs, and Twilio refuses a <Say>
// whose language its voice does not speak (13321; 13511 for a bad voice): the caller hears nothing.
// Source: Twilio's own text-to-speech table ("Available voices and languages",
// https://www.twilio.com/docs/voice/twiml/say/text-speech, whose data is TwilioDevEd/api-snippets
// voice/tts/available-voices-list.md, commit b04350e2, 2023-04-26). The voices the library gained after that
// table (Adriano, Andres, Burcu, Danielle, Gregory, Isabelle, Kazuha, Lisa, Mía, Niamh, Remi/Rémi, Ruth,
// Sergio, Sofie, Stephen, Thiago, Tomoko, Zayd and the -Generative variants) take the language Amazon lists
// for them (https://docs.aws.amazon.com/polly/latest/dg/available-voices.html): a Polly voice speaks the same
// language in every engine. Twilio's "es-US)" for Polly.Miguel is read as es-US.

/** man and woman: the languages Twilio's table lists for them (both the same eight). */
export const BASIC_VOICE_LANGUAGES = [
  'en-US', 'en-GB', 'en-CA', 'es-ES', 'es-MX', 'fr-FR', 'de-DE', 'it-IT',
] as const satisfies readonly SayLanguage[];

/** alice (retired: the checker's `voice_retired`), as long as the library keeps it. */
export const ALICE_LANGUAGES = [
  'ca-ES', 'da-DK', 'de-DE', 'en-AU', 'en-CA', 'en-GB', 'en-IN', 'en-US', 'es-ES', 'es-MX', 'fi-FI', 'fr-CA',
  'fr-FR', 'it-IT', 'ja-JP', 'ko-KR', 'nb-NO', 'nl-NL', 'pl-PL', 'pt-BR', 'pt-PT', 'ru-RU', 'sv-SE', 'zh-CN',
  'zh-HK', 'zh-TW',
] as const satisfies readonly SayLanguage[];

/** A Polly voice's name without its engine: Polly.Joanna-Neural and Polly.Joanna-Generative are Joanna. */
type PollyName<V> = V extends `Polly.${infer N}-Neural` ? N : V extends `Polly.${infer N}-Generative` ? N : V extends `Polly.${infer N}` ? N : never;
export const pollyName = (voice: string): string => voice.slice('Polly.'.length).replace(/-(Neural|Generative)$/, '');

/**
 * The languages of each Polly voice, by name. Every Polly name of the library must have a row (the
 * "satisfies" fails the build when an upgrade adds one) and no row may name a voice the library lacks.
 * Hiujin's yue-CN is not one of the library's SayLanguage tags: Hiujin speaks only without a language.
 */
export const POLLY_LANGUAGES = {
  Aditi: ['en-IN', 'hi-IN'], Adriano: ['it-IT'], Amy: ['en-GB'], Andres: ['es-MX'], Aria: ['en-NZ'],
  Arlet: ['ca-ES'], Arthur: ['en-GB'], Astrid: ['sv-SE'], Ayanda: ['en-ZA'], Bianca: ['it-IT'], Brian: ['en-GB'],
  Burcu: ['tr-TR'], Camila: ['pt-BR'], Carla: ['it-IT'], Carmen: ['ro-RO'], Celine: ['fr-FR'], Chantal: ['fr-CA'],
  Conchita: ['es-ES'], Cristiano: ['pt-PT'], Daniel: ['de-DE'], Danielle: ['en-US'], Dora: ['is-IS'],
  Elin: ['sv-SE'], Emma: ['en-GB'], Enrique: ['es-ES'], Ewa: ['pl-PL'], Filiz: ['tr-TR'], Gabrielle: ['fr-CA'],
  Geraint: ['en-GB-WLS'], Giorgio: ['it-IT'], Gregory: ['en-US'], Gwyneth: ['cy-GB'], Hala: ['ar-AE'],
  Hannah: ['de-AT'], Hans: ['de-DE'], Hiujin: ['yue-CN'], Ida: ['nb-NO'], Ines: ['pt-PT'], Isabelle: ['fr-BE'],
  Ivy: ['en-US'], Jacek: ['pl-PL'], Jan: ['pl-PL'], Joanna: ['en-US'], Joey: ['en-US'], Justin: ['en-US'],
  Kajal: ['en-IN', 'hi-IN'], Karl: ['is-IS'], Kazuha: ['ja-JP'], Kendra: ['en-US'], Kevin: ['en-US'],
  Kimberly: ['en-US'], Laura: ['nl-NL'], Lea: ['fr-FR'], Liam: ['fr-CA'], Lisa: ['nl-BE'], Liv: ['nb-NO'],
  Lotte: ['nl-NL'], Lucia: ['es-ES'], Lupe: ['es-US'], Mads: ['da-DK'], Maja: ['pl-PL'], Marlene: ['de-DE'],
  Mathieu: ['fr-FR'], Matthew: ['en-US'], Maxim: ['ru-RU'], Mia: ['es-MX'], Miguel: ['es-US'], Mizuki: ['ja-JP'],
  'Mía': ['es-MX'], Naja: ['da-DK'], Niamh: ['en-IE'], Nicole: ['en-AU'], Ola: ['pl-PL'], Olivia: ['en-AU'],
  Pedro: ['es-US'], Penelope: ['es-US'], Raveena: ['en-IN'], Remi: ['fr-FR'], Ricardo: ['pt-BR'], Ruben: ['nl-NL'],
  Russell: ['en-AU'], Ruth: ['en-US'], 'Rémi': ['fr-FR'], Salli: ['en-US'], Seoyeon: ['ko-KR'], Sergio: ['es-ES'],
  Sofie: ['da-DK'], Stephen: ['en-US'], Suvi: ['fi-FI'], Takumi: ['ja-JP'], Tatyana: ['ru-RU'], Thiago: ['pt-BR'],
  Tomoko: ['ja-JP'], Vicki: ['de-DE'], Vitoria: ['pt-BR'], Zayd: ['ar-AE'], Zeina: ['arb'], Zhiyu: ['cmn-CN'],
} as const satisfies Record<PollyName<SayVoice>, readonly string[]>;

/** The languages `voice` speaks, or undefined for a name not in the lists (the schema refuses it by itself). */
export function languagesOf(voice: string): readonly string[] | undefined {
  if (voice === 'man' || voice === 'woman') return BASIC_VOICE_LANGUAGES;
  if (voice === 'alice') return ALICE_LANGUAGES;
  if (voice.startsWith('Google.')) {
    // Google.en-US-Standard-C speaks en-US; Google.cmn-CN-..., Google.fil-ph-... (the library's case) likewise.
    const [lang, region] = voice.slice('Google.'.length).split('-');
    return region ? [`${lang}-${region}`] : undefined;
  }
  if (voice.startsWith('Polly.')) return Object.hasOwn(POLLY_LANGUAGES, pollyName(voice)) ? POLLY_LANGUAGES[pollyName(voice) as keyof typeof POLLY_LANGUAGES] : undefined;
  return undefined;
}

/**
 * Why `language` cannot go with `voice`, or undefined when it can. No language: the voice speaks its own
 * (Twilio's default for it), fine. No voice: the account's default voice, which the document cannot know.
 * Tags compare case-insensitively (BCP 47; the library writes Google.fil-ph-... but fil-PH).
 */
export function pairingProblem(voice: string | undefined, language: string | undefined): string | undefined {
  if (voice === undefined || language === undefined) return undefined;
  const spoken = languagesOf(voice);
  if (spoken === undefined) return undefined;
  if (spoken.some((l) => l.toLowerCase() === language.toLowerCase())) return undefined;
  return `voice ${voice} speaks only ${spoken.join(', ')}, not ${language}: choose one of those, or leave language out for the voice's own`;
}

// Compile-time: every name the library offers is in the lists (the "satisfies" above checks the reverse).
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : Exclude<All, Listed>;
export const VOICES_COMPLETE: Missing<SayVoice, (typeof SAY_VOICES)[number]> = true;
export const LANGUAGES_COMPLETE: Missing<SayLanguage, (typeof SAY_LANGUAGES)[number]> = true;
