// The dashboard's wording of the admin API's errors (issue 20 item 6): names for ids, fields by name, no
// status codes or API flags, one sentence per kind of failure.
import { ApiError } from '../../web/src/api';
import { describeError, fieldName, humanize } from '../../web/src/human-errors';

const names = {
  users: new Map([['usr_ann', 'Ann Example']]),
  groups: new Map([['grp_sales', 'Sales']]),
  flows: new Map([['flw_main', 'Main line'], ['flw_side', 'Side door']]),
};

test('ids become names: with the name the server gave, from the page’s lists, or as gone', () => {
  expect(humanize('Applet "d" rings user "usr_ghost" (Gus) (a member of group "grp_x" (Night)), who has neither a phone nor a client', names)).toBe(
    'Applet "d" rings Gus (a member of Night), who has neither a phone nor a client',
  );
  expect(humanize('Applet "d" dials user "usr_ann", who does not exist.', names)).toBe('Applet "d" dials Ann Example, who does not exist.');
  expect(humanize('Applet "d" dials group "grp_gone", which does not exist.', names)).toBe('Applet "d" dials a group that no longer exists, which does not exist.');
  expect(humanize('Applet "r" redirects to flow "flw_side", which does not exist.', names)).toBe('Applet "r" redirects to Side door, which does not exist.');
});

test('API flags and "(s)" go; a flow named by its bare id is named', () => {
  expect(humanize('flow flw_main serves 2 number(s): +15550100001, +15550100002; unassign them or pass ?unassign=true', names)).toBe(
    'Main line serves 2 numbers: +15550100001, +15550100002; unassign them',
  );
  expect(humanize('flow flw_main is the target of a redirect in flow(s) flw_side; change them first', names)).toBe('Main line is the target of a redirect in Side door; change them first');
});

test('a field path reads as the form names it', () => {
  expect(fieldName('call.applets.menu.prompt.text')).toBe('call flow › menu › prompt › text');
  expect(fieldName('sms.applets.reply.media.0')).toBe('SMS flow › reply › media › #1');
  expect(fieldName('noAnswer')).toBe('no answer');
});

test('each kind of failure is one sentence without its status code', () => {
  const said = (e: ApiError) => {
    const { lead, items } = describeError(e, names);
    return [lead, ...items].join(' | ');
  };
  expect(said(new ApiError(400, 'validation', 'invalid request: phone: bad', [{ path: 'phone', message: 'must be an E.164 number' }]))).toBe('Some entries need fixing: | phone: must be an E.164 number');
  expect(said(new ApiError(404, 'not_found', 'flow flw_main not found'))).toMatch(/^Main line no longer exists/);
  expect(said(new ApiError(412, 'precondition_failed', 'revision 2 is stale'))).toBe('Someone else changed this meanwhile.');
  expect(said(new ApiError(422, 'flow_invalid', 'the flow has 1 error(s)', [{ severity: 'error', message: 'Applet "d" dials user "usr_ann", who does not exist.' }, { severity: 'warning', message: 'w' }]))).toBe(
    'This cannot be published yet: one problem needs fixing first. | Applet "d" dials Ann Example, who does not exist.',
  );
  expect(said(new ApiError(503, 'unavailable', 'the store did not answer'))).toMatch(/^The server cannot reach its storage right now/);
  for (const status of [400, 404, 409, 412, 422, 503]) expect(said(new ApiError(status, 'x', `flow flw_main failed (${status})`))).not.toMatch(/\b(usr|grp|flw)_/);
});

test('a schedule in use names the schedule and its flows without their ids', () => {
  expect(humanize('Schedule sch_f5f3fd9889e0 (Main office) is used by Main line (flw_10941299d37b), Side line (flw_2); change their hours first')).toBe(
    'The schedule Main office is used by Main line, Side line; change their hours first',
  );
});
