//! The directory's vocabulary as types: the closed sets an account, an organization and its
//! connection can be in, and the one time type every record carries.
//!
//! These sit below [`crate::store`]: text from a row or a request is parsed into them once, where
//! it enters, and the rules in [`crate::service`] match them exhaustively, so a new state is a
//! compile error wherever it needs a decision instead of a string literal to hunt for.

mod account;
mod oauth;
mod org;
mod time;

pub use account::{AccountSource, AccountState, Role};
pub use oauth::{ClientAuthMethod, CodeChallengeMethod, GrantType, SecretLifetime};
pub use org::{OrgKind, SyncSource};
pub use time::Timestamp;

/// The names of a closed set, as a person reads them in an error: `a, b, c`.
pub fn names<T: strum::VariantNames>() -> String {
    T::VARIANTS.join(", ")
}

/// The stored text of a closed set (`as_str`), and sqlx reading and writing it as that text on
/// either engine, so rows decode straight into the enum and an unknown value is a decode error
/// naming it rather than a string that slips through.
macro_rules! text_column {
    ($type:ty, $what:literal) => {
        impl $type {
            /// The stored and shown text.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        impl<DB: sqlx::Database> sqlx::Type<DB> for $type
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $type
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                sqlx::Encode::<DB>::encode(self.as_str().to_owned(), buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $type
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                text.parse()
                    .map_err(|_| format!("unknown {} {text:?} in the database", $what).into())
            }
        }
    };
}
use text_column;
