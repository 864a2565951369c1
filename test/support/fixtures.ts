// Small valid flow documents for tests.
export function callAndSmsFlow(userId: string, name = 'Support') {
  return {
    name,
    call: {
      start: 'ring',
      applets: {
        ring: { type: 'dial', user: userId, noAnswer: 'vm' },
        vm: { type: 'voicemail', mailbox: { user: userId } },
      },
    },
    sms: {
      start: 'inbox',
      applets: { inbox: { type: 'inbox', mailbox: { user: userId } } },
    },
  };
}

export function callOnlyFlow(name = 'Calls only') {
  return { name, call: { start: 'bye', applets: { bye: { type: 'hangup' } } } };
}

export function groupFlow(groupId: string, name = 'Group line') {
  return {
    name,
    call: {
      start: 'ring',
      applets: {
        ring: { type: 'dial', group: groupId, strategy: 'sequential', noAnswer: 'vm' },
        vm: { type: 'voicemail', mailbox: { group: groupId } },
      },
    },
  };
}
