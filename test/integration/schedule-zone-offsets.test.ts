// A shared schedule carries its time zone's offsets (flows/zone-offsets.ts), renewed by every save, and
// whoever reads it for a call (schedulesFor) learns them: hours that name a schedule tell local time
// without Intl, as a flow's own hours do. Against DynamoDB Local.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { localTime } from '../../lambdas/flows/hours';
import { forgetZoneOffsets, learnedOffset } from '../../lambdas/flows/zone-offsets';
import { createStores } from '../../lambdas/store/stores';
import { createTestTables } from '../support/dynamo';

afterEach(forgetZoneOffsets);

const nineToFive: Array<[string, string]> = [['09:00', '17:00']];
const office = (timezone: string) => ({
  name: `Office ${timezone}`,
  timezone,
  weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive, sat: [], sun: [] },
  rules: [],
});

it('a saved schedule stores its zone table; reading it for a call learns it; an edit to another zone replaces it', async () => {
  const t = await createTestTables();
  const stores = createStores(t.doc, t.names);
  const now = new Date('2026-12-06T12:00:00Z');
  const created = await stores.schedules.create(office('Australia/Lord_Howe'), now);

  const item = await t.doc.send(new GetCommand({ TableName: t.names.directory, Key: { id: created.id } }));
  const [table] = JSON.parse(item.Item!.zones as string);
  expect(table.zone).toBe('Australia/Lord_Howe');
  expect(table.until).toBe(Date.parse('2029-12-08T12:00:00Z'));
  // The API's schedule says nothing of it.
  expect(created).not.toHaveProperty('zones');
  expect(await stores.schedules.get(created.id)).not.toHaveProperty('zones');

  forgetZoneOffsets();
  const [read] = await stores.schedules.schedulesFor([created.id]);
  expect(read).not.toHaveProperty('zones');
  expect(learnedOffset('Australia/Lord_Howe', Date.parse('2027-07-01T00:00:00Z'))).toBe(630); // +10:30 in winter
  // Local time in the schedule's zone, as the hours applet asks it: arithmetic, no Intl.
  const intl = jest.spyOn(Intl, 'DateTimeFormat');
  try {
    expect(localTime('Australia/Lord_Howe', new Date('2027-07-01T00:00:00Z'))).toMatchObject({ minutes: 10 * 60 + 30 });
    expect(intl).not.toHaveBeenCalled();
  } finally {
    intl.mockRestore();
  }

  await stores.schedules.update(created.id, office('America/New_York'), now);
  const edited = await t.doc.send(new GetCommand({ TableName: t.names.directory, Key: { id: created.id } }));
  expect(JSON.parse(edited.Item!.zones as string).map((z: { zone: string }) => z.zone)).toEqual(['America/New_York']);
  forgetZoneOffsets();
  await stores.schedules.schedulesFor([created.id]);
  expect(learnedOffset('America/New_York', Date.parse('2027-01-15T12:00:00Z'))).toBe(-300);
  expect(learnedOffset('Australia/Lord_Howe', Date.parse('2027-07-01T00:00:00Z'))).toBeUndefined();
});

it('a schedule saved before zone tables has none: it is read as before (hours.ts asks Intl)', async () => {
  const t = await createTestTables();
  const stores = createStores(t.doc, t.names);
  const created = await stores.schedules.create(office('Europe/London'), new Date());
  await t.doc.send(new UpdateCommand({ TableName: t.names.directory, Key: { id: created.id }, UpdateExpression: 'REMOVE zones' }));
  forgetZoneOffsets();
  const [read] = await stores.schedules.schedulesFor([created.id]);
  expect(read.timezone).toBe('Europe/London');
  expect(learnedOffset('Europe/London', Date.now())).toBeUndefined();
});
