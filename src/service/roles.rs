//! Role names as administrators type them, checked against the roles the organization's kind
//! has (Apple School Manager has Site Manager, Instructor, Student...; Business Manager does not).

use super::{ServiceError, ServiceResult};
use crate::domain::{OrgKind, Role};

/// A role of an organization of `kind`, from its name in any ASCII case and with surrounding
/// blanks; 400 `invalid_role` naming the roles the kind allows otherwise.
pub fn parse_role(kind: OrgKind, raw: &str) -> ServiceResult<Role> {
    let refuse = |why: String| {
        ServiceError::bad_request(
            "invalid_role",
            format!(
                "{why}: the roles of an {} organization are {}",
                kind.product(),
                kind.role_names()
            ),
        )
    };
    match raw.trim().parse::<Role>() {
        Ok(role) if kind.has_role(role) => Ok(role),
        Ok(role) => Err(refuse(format!(
            "{role} is not a role in {}",
            kind.product()
        ))),
        Err(_) => Err(refuse(format!("unknown role {raw:?}"))),
    }
}

/// The roles to give an account: each known to `kind`, duplicates dropped, at least one.
pub fn parse_roles(kind: OrgKind, raw: &[String]) -> ServiceResult<Vec<Role>> {
    let mut roles: Vec<Role> = Vec::new();
    for role in raw {
        let role = parse_role(kind, role)?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(ServiceError::bad_request(
            "invalid_role",
            "an account needs at least one role",
        ));
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_school_role_is_refused_in_a_business_naming_the_allowed_ones() {
        let err = parse_role(OrgKind::Business, "student").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("Student is not a role in Apple Business Manager"),
            "{text}"
        );
        assert!(
            text.contains(
                "Administrator, People Manager, Device Enrollment Manager, Content Manager, Staff"
            ),
            "{text}"
        );
        assert_eq!(
            parse_role(OrgKind::School, " student ").unwrap(),
            Role::Student
        );
        assert!(parse_role(OrgKind::School, "Teacher")
            .unwrap_err()
            .to_string()
            .contains("unknown role \"Teacher\""));
    }

    #[test]
    fn roles_are_deduplicated_and_never_empty() {
        let roles =
            parse_roles(OrgKind::School, &["Instructor".into(), "instructor".into()]).unwrap();
        assert_eq!(roles, vec![Role::Instructor]);
        assert!(parse_roles(OrgKind::School, &[]).is_err());
    }
}
