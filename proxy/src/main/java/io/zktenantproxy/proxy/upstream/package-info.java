/**
 * The proxy's own client of the ensemble ({@link OperatorClient}): one Curator client, never a tenant's connection or
 * credentials, optionally authenticated as the operator identity. A running proxy has one, shared by chroot creation,
 * session ownership look-ups, readiness and the admin server's tree reads; the operator CLI builds its own.
 *
 * <p>Imports {@code config} (the operator identity). Imported by {@code server} (which builds, shares and closes the
 * proxy's one), {@code tree} (which reads through it) and {@code cli}. The layering is checked by
 * {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.upstream;
