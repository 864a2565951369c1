// The demo Studio flow of the project's Twilio-compatible server (local/fake-twilio.ts): what a small
// business would have built in Studio — a greeting, a key menu, a transfer, a voicemail, and keyword
// replies to texts — written as Studio exports it. `npm start -- --fake-twilio` puts it on a number of its
// own, so `npm run import -- studio --from-twilio --take-over` has something to move; the tests use it too.

export const DEMO_STUDIO_FLOW_NAME = 'Acme front desk';
/** The number the demo Studio flow serves on the fake account (Voice and Messaging URLs point at the flow). */
export const DEMO_STUDIO_NUMBER = '+15550100005';

const offset = (x: number, y: number) => ({ offset: { x, y } });

export const DEMO_STUDIO_DEFINITION = {
  description: 'Acme front desk',
  states: [
    {
      name: 'Trigger',
      type: 'trigger',
      transitions: [
        { next: 'split_text', event: 'incomingMessage' },
        { next: 'greeting', event: 'incomingCall' },
        { event: 'incomingConversationMessage' },
        { event: 'incomingRequest' },
        { event: 'incomingParent' },
      ],
      properties: offset(0, 0),
    },
    {
      name: 'greeting',
      type: 'say-play',
      transitions: [{ next: 'main_menu', event: 'audioComplete' }],
      properties: { ...offset(0, 200), voice: 'Polly.Joanna', language: 'en-US', loop: 1, say: 'Thanks for calling Acme.' },
    },
    {
      name: 'main_menu',
      type: 'gather-input-on-call',
      transitions: [
        { next: 'menu_choice', event: 'keypress' },
        { event: 'speech' },
        { next: 'voicemail_prompt', event: 'timeout' },
      ],
      properties: {
        ...offset(0, 400), voice: 'Polly.Joanna', language: 'en-US', number_of_digits: 1, speech_timeout: 'auto', loop: 1,
        finish_on_key: '#', say: 'For sales press 1. To leave a message press 2.', stop_gather: true, gather_language: 'en',
        profanity_filter: 'true', timeout: 5,
      },
    },
    {
      name: 'menu_choice',
      type: 'split-based-on',
      transitions: [
        { next: 'main_menu', event: 'noMatch' },
        { next: 'connect_sales', event: 'match', conditions: [{ friendly_name: 'If value equal_to 1', arguments: ['{{widgets.main_menu.Digits}}'], type: 'equal_to', value: '1' }] },
        { next: 'voicemail_prompt', event: 'match', conditions: [{ friendly_name: 'If value equal_to 2', arguments: ['{{widgets.main_menu.Digits}}'], type: 'equal_to', value: '2' }] },
      ],
      properties: { ...offset(0, 600), input: '{{widgets.main_menu.Digits}}' },
    },
    {
      name: 'connect_sales',
      type: 'connect-call-to',
      transitions: [{ next: 'voicemail_prompt', event: 'callCompleted' }, { event: 'hangup' }],
      properties: { ...offset(-200, 800), caller_id: '{{contact.channel.address}}', noun: 'number', to: '+15550200002', timeout: 20 },
    },
    {
      name: 'voicemail_prompt',
      type: 'say-play',
      transitions: [{ next: 'record_voicemail', event: 'audioComplete' }],
      properties: { ...offset(200, 800), voice: 'Polly.Joanna', language: 'en-US', loop: 1, say: 'Please leave a message after the tone.' },
    },
    {
      name: 'record_voicemail',
      type: 'record-voicemail',
      transitions: [{ event: 'recordingComplete' }, { event: 'noAudio' }, { event: 'hangup' }],
      properties: { ...offset(200, 1000), transcribe: true, play_beep: 'true', finish_on_key: '#', timeout: 5, max_length: 120, trim: 'trim-silence' },
    },
    {
      name: 'split_text',
      type: 'split-based-on',
      transitions: [
        { next: 'reply_thanks', event: 'noMatch' },
        { next: 'reply_hours', event: 'match', conditions: [{ friendly_name: 'hours', arguments: ['{{trigger.message.Body}}'], type: 'matches_any_of', value: 'hours, open' }] },
      ],
      properties: { ...offset(600, 200), input: '{{trigger.message.Body}}' },
    },
    {
      name: 'reply_hours',
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { ...offset(500, 400), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'We are open 9 to 5, Monday to Friday.' },
    },
    {
      name: 'reply_thanks',
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { ...offset(800, 400), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Thanks for your message. We will get back to you shortly.' },
    },
  ],
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
};
