/* The renewal decision from the certificate, the config and the state (no I/O). */
#include "renew.h"

#include <string.h>

#include "state.h"

void renew_input_from_state(struct renew_input *in, int64_t not_before, int64_t not_after,
                            int renew_days, const struct state *s, const char *certid)
{
    const char *id = state_get(s, STATE_ARI_CERTID);
    memset(in, 0, sizeof *in);
    in->not_before = not_before;
    in->not_after = not_after;
    in->renew_days = renew_days;
    if (certid == NULL || id == NULL || strcmp(id, certid) != 0) return;
    state_get_int(s, STATE_ARI_START, 0, &in->w.start);
    state_get_int(s, STATE_ARI_END, 0, &in->w.end);
    state_get_int(s, STATE_ARI_AT, 0, &in->w.at);
    /* a damaged entry (no window, or a moment outside it) counts as none */
    in->have_window = in->w.end > in->w.start && in->w.at >= in->w.start && in->w.at < in->w.end;
}

int renew_decide(const struct renew_input *in, int64_t now, int64_t *due_at, char *why, size_t cap)
{
    int64_t at = in->w.at;
    int due = 0;
    if (!in->have_window)
        return renew_due(in->not_before, in->not_after, now, in->renew_days, due_at, why, cap);
    /* with renew_days too: due at the earlier of the two */
    if (in->renew_days > 0) {
        due = renew_due(in->not_before, in->not_after, now, in->renew_days, &at, why, cap);
        if (at > in->w.at) at = in->w.at;
    }
    if (due_at != NULL) *due_at = at;
    return due || renew_ari_due(&in->w, in->not_after, now, why, cap);
}
