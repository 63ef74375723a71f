package io.zktenantproxy.proxy.tls;

import io.zktenantproxy.proxy.config.CertificateIdentityRule.Field;
import io.zktenantproxy.proxy.config.CertificateIdentityRule.Identity;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The identities a client certificate carries, as the JDK parses them: URI subject alternative names (type 6, where
 * SPIFFE IDs are), DNS ones (type 2), and the subject's common names.
 */
final class CertificateIdentities {
    private static final int DNS_NAME = 2;
    private static final int URI = 6;

    private CertificateIdentities() {
    }

    /** @return the certificate's URI and DNS SANs, then its CNs; empty if it has none or they cannot be parsed */
    static List<Identity> of(X509Certificate certificate) {
        List<Identity> identities = new ArrayList<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() >= 2 && name.get(0) instanceof Integer type && name.get(1) instanceof String v) {
                        if (type == URI) {
                            identities.add(new Identity(Field.URI, v));
                        } else if (type == DNS_NAME) {
                            identities.add(new Identity(Field.DNS, v));
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of(); // an unparseable SAN extension names nobody
        }
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType()) && rdn.getValue() instanceof String cn) {
                    identities.add(new Identity(Field.CN, cn));
                }
            }
        } catch (InvalidNameException e) {
            return identities;
        }
        return identities;
    }
}
