/*
 * NAME
 *   cmd_buskeys - inspraakctl bus-keys FOLDER: CURVE keys for the bus
 *
 * SYNOPSIS
 *   inspraakctl bus-keys /etc/inspraak/bus-keys
 *   INSPRAAK_BUS_CURVE_KEYS=/etc/inspraak/bus-keys  (for every service)
 *
 * DESCRIPTION
 *   Makes FOLDER (mode 0700) with a server key pair and one client key
 *   pair, files mode 0600, the client's public key also in
 *   FOLDER/clients/client.key (the list the servers accept); see
 *   common/bus_curve.h for the layout and docs/operations.md for hosts that
 *   should get their own client pair. Existing keys are never overwritten.
 *   Prints the folder on stdout; needs no Redis.
 */
#include <stdio.h>

#include "bus_curve.h"
#include "ctl.h"

int cmd_buskeys(int argc, char **argv)
{
    if (argc != 1 || argv[0][0] == '\0' || argv[0][0] == '-') {
        ctl_err("usage: inspraakctl bus-keys FOLDER");
        return CTL_USAGE;
    }
    char err[1200] = "";
    if (bus_curve_make_keys(argv[0], err, sizeof err) < 0) {
        ctl_err("bus-keys: %s", err);
        return CTL_ERR;
    }
    printf("%s\n", argv[0]);
    return CTL_OK;
}
