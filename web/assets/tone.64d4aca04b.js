// The colour class of a signed amount ("up", "down" or "flat"), shared by the pages that show
// gains and day changes; the amount's own sign is always written too, so colour is never the
// only cue.

import * as dec from './decimal.515325027d.js';

export const tone = (amount) => (dec.sign(amount) > 0 ? 'up' : dec.sign(amount) < 0 ? 'down' : 'flat');
