// The editor's working copy of a flow document. The admin API's answers are typed in
// lambdas/api-types.ts (imported with `import type`); a draft is looser than the API's FlowDocument
// because an edit in progress need not be valid yet (an empty branch, a group not picked): the checker
// says what is still missing, and the server's schema decides on publish.
export type Applet = { type: string } & Record<string, unknown>;
export interface Part {
  start: string;
  applets: Record<string, Applet>;
}
export interface FlowDocument {
  name: string;
  call?: Part;
  sms?: Part;
}
