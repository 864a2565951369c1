// A problem the checker reports (DESIGN.md section 4).
import type { Channel } from './schema';

export const ERROR_CODES = [
  'unknown_start', 'unknown_applet', 'missing_branch', 'wrong_channel', 'loop_without_input', 'unknown_user',
  'unknown_group', 'unknown_flow', 'empty_group', 'bad_timezone', 'bad_hours', 'too_many_targets', 'screen_simultaneous',
  'redirect_loop', 'own_number', 'unknown_schedule',
] as const;
export const WARNING_CODES = [
  'unreachable', 'always_closed', 'no_call_part', 'no_sms_part', 'user_unreachable', 'transcribe_too_long',
  'record_without_notice', 'notify_over_limit', 'voice_retired',
  'reserved_keyword',
] as const;

export type ProblemCode = (typeof ERROR_CODES)[number] | (typeof WARNING_CODES)[number];

export interface Problem {
  severity: 'error' | 'warning';
  code: ProblemCode;
  channel: Channel;
  applet?: string;
  branch?: string;
  message: string;
}

export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((p) => p.severity === 'error');
