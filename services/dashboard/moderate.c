/*
 * NAME
 *   moderate - send a moderation update to storage and wait for its ack
 *
 * DESCRIPTION
 *   Storage is the only writer of ideas (DESIGN.md contract 4), so the
 *   dashboard PUSHes an "update" envelope (proto.h ENV_UPDATE) to
 *   INSPRAAK_BUS_STORE and waits on a SUB socket of INSPRAAK_BUS_EVENTS for
 *   "ack.<our name>" with the envelope's id. An update that moves the idea
 *   to another near-duplicate cluster goes to INSPRAAK_BUS_CLASSIFY
 *   instead: the classifier moves its stored sketch too (so later
 *   near-duplicates follow staff's choice) and hands the update on to
 *   storage, whose ack comes the same way. With no classifier running it
 *   is not saved, and staff are told so. ZeroMQ sockets belong to one
 *   thread, and HTTP handlers run on many, so each moderation opens its own
 *   pair and closes it afterwards; moderation is rare, so that is cheap.
 *
 *   The socket work (re-sending every second until the ack arrives or
 *   S_WAIT_MS pass) is common/bus_update.c, shared with inspraakctl's
 *   participant erase. moderate_send_many() does the same for many updates
 *   over one socket pair (a whole near-duplicate group moved:
 *   ui_cluster_merge.c), re-sending only those not acked yet.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bus_update.h"
#include "dashboard.h"
#include "log.h"
#include "xalloc.h"

/* Storage takes updates in turn with the ideas on its PULL queue, so under
 * a burst of new ideas an update can wait seconds for its turn: give it
 * 15 s before telling staff it may not have been saved. */
#define S_WAIT_MS 15000

int moderate_send_many(dash_t *d, idea_t *const *upds, int n, char *err, size_t errlen)
{
    char berr[256];
    int *acked = xcalloc((size_t)(n > 0 ? n : 1), sizeof *acked);
    /* A cluster goes through the classifier, which moves its sketch too. */
    const char *to = n > 0 && upds[0]->cluster ? d->cfg.bus_classify : d->cfg.bus_store;
    int done = bus_update_send(to, d->cfg.bus_events, d->cfg.name, upds, n, S_WAIT_MS, acked, berr,
                               sizeof berr);
    free(acked);
    if (done == BUS_UPDATE_EENCODE) {
        snprintf(err, errlen, "De wijziging kon niet worden gemaakt.");
        return -1;
    }
    if (done < n) {
        log_warn("msg=\"no ack for update\" updates=%d acked=%d via=%s", n, done < 0 ? 0 : done,
                 to == d->cfg.bus_classify ? "classifier" : "storage");
        snprintf(err, errlen, "%s De wijziging is misschien niet bewaard; probeer het over een "
                 "minuut opnieuw.",
                 to == d->cfg.bus_classify ? "Het indelen van ideeën werkt nu niet."
                                           : "De opslag reageert niet.");
        return -1;
    }
    return 0;
}

int moderate_send(dash_t *d, const idea_t *upd, char *err, size_t errlen)
{
    idea_t *one = (idea_t *)upd; /* only read */
    return moderate_send_many(d, &one, 1, err, errlen);
}
