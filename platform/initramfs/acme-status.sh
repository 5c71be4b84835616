#!/bin/sh
# What a script should do with acme's exit status (see acme(1), EXIT STATUS). Sourced by
# S50acme and acme-cron; POSIX sh / busybox ash.
#
#   . /usr/share/acme/acme-status.sh
#   acme -q -c /etc/acme/acme.conf; acme_status $? [RELOAD-COMMAND]
#
# acme_status returns 0 when nothing more is to be done (issued, or not due), 1 when a later
# attempt may succeed (retry: temporary failure, rate limit), 2 when a human must look
# (configuration, validation, refusal by the CA, local failure). It runs RELOAD-COMMAND only
# after a new certificate was installed (acme's own `reload` key does the same; use one).
acme_status() {
	case "$1" in
	0)
		acme_log info "new certificate installed"
		[ -z "${2:-}" ] || sh -c "$2" || acme_log err "reload failed: $2"
		return 0
		;;
	1) return 0 ;; # not due: nothing changed
	2) acme_log err "configuration error (exit 2): fix the config; retrying will not help" ;;
	3) acme_log warning "temporary failure (exit 3: network, DNS, CA, port in use); will retry"; return 1 ;;
	4) acme_log err "the CA could not validate the challenge (exit 4): check DNS, port 80 and the firewall" ;;
	5) acme_log warning "rate limited by the CA (exit 5); will retry later"; return 1 ;;
	6) acme_log err "refused by the CA (exit 6): names not allowed (CAA, policy)" ;;
	7) acme_log err "local failure (exit 7): disk full, read-only, lock held or no entropy" ;;
	*) acme_log err "acme exited $1" ;;
	esac
	return 2
}

# acme_log PRIORITY MESSAGE: stderr (the console or cron's mail) and syslog when there is one.
acme_log() {
	echo "acme: $2" >&2
	command -v logger >/dev/null 2>&1 && logger -t acme -p "daemon.$1" -- "$2" 2>/dev/null
	return 0
}
