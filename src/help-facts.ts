/**
 * Counts and lists the help pages and README state, taken from the tables the runtime uses, so a
 * row added to a table shows in the help without an edit of the prose. scripts/build.mjs fills
 * `{{fact:name}}` in every help.md from HELP_FACTS; an unknown name fails the build.
 */
import { ALARM_TYPES } from './protocols/jointech/enums';

export const HELP_FACTS: Readonly<Record<string, string | number>> = {
  'jointech.alarmTypes.count': ALARM_TYPES.size,
};
