//! Edge API tokens at rest: a profile's token is stored encrypted (AES-GCM) with a WebCrypto
//! key that cannot be exported (`extractable: false`), kept in the `settings` store. Anyone
//! reading the database files (a backup of the disk, another program, a copied profile
//! directory) finds only ciphertext; only this origin's pages can ask the browser to decrypt.
//! Exports and backups never carry a token, sealed or not.

use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{stores, Result, Storage, StorageError};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;

/// The settings key of the token key (its value is a `CryptoKey`, not a string).
pub const TOKEN_KEY: &str = "token_key";

/// An encrypted token: the AES-GCM nonce and the ciphertext with its tag, as hex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedToken {
    pub iv: String,
    pub data: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Result<Vec<u8>> {
    let bad = || StorageError("a stored token is corrupt; enter it again on Profiles".into());
    if !text.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|_| bad()))
        .collect()
}

fn crypto_fail(context: &'static str) -> impl Fn(JsValue) -> StorageError {
    move |e| StorageError::js(context, e)
}

fn subtle() -> Result<web_sys::SubtleCrypto> {
    let crypto = web_sys::window()
        .ok_or_else(|| StorageError("no window".into()))?
        .crypto()
        .map_err(crypto_fail("WebCrypto is not available"))?;
    Ok(crypto.subtle())
}

impl Storage {
    /// The token key: the stored one, or a new non-extractable AES-GCM key stored now. Two
    /// tabs racing to make one both end up with the first one stored (`add`, then read).
    async fn token_key(&self) -> Result<web_sys::CryptoKey> {
        if let Some(key) = self.stored_token_key().await? {
            return Ok(key);
        }
        let algorithm = web_sys::AesKeyGenParams::new("AES-GCM", 256);
        let usages = js_sys::Array::of2(&"encrypt".into(), &"decrypt".into());
        let promise = subtle()?
            .generate_key_with_object(&algorithm, false, &usages)
            .map_err(crypto_fail("cannot make the token key"))?;
        let key: web_sys::CryptoKey = JsFuture::from(promise)
            .await
            .map_err(crypto_fail("cannot make the token key"))?
            .unchecked_into();
        let record = js_sys::Object::new();
        js_sys::Reflect::set(&record, &"key".into(), &TOKEN_KEY.into())
            .map_err(crypto_fail("cannot store the token key"))?;
        js_sys::Reflect::set(&record, &"value".into(), &key)
            .map_err(crypto_fail("cannot store the token key"))?;
        let tx = self
            .db
            .transaction(stores::SETTINGS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        // `add` fails when another tab stored a key first; that one is then used.
        let added = tx.object_store(stores::SETTINGS)?.add(record).build();
        if added.is_ok() && tx.commit().await.is_ok() {
            return Ok(key);
        }
        self.stored_token_key()
            .await?
            .ok_or_else(|| StorageError("cannot store the token key".into()))
    }

    async fn stored_token_key(&self) -> Result<Option<web_sys::CryptoKey>> {
        let tx = self.db.transaction(stores::SETTINGS).build()?;
        let record: Option<js_sys::Object> =
            tx.object_store(stores::SETTINGS)?.get(TOKEN_KEY).await?;
        Ok(record
            .map(|r| js_sys::Reflect::get(&r, &"value".into()).unwrap_or(JsValue::UNDEFINED))
            .and_then(|v| v.dyn_into::<web_sys::CryptoKey>().ok()))
    }

    /// `token` encrypted with the token key under a fresh random nonce.
    pub(crate) async fn seal(&self, token: &str) -> Result<SealedToken> {
        let key = self.token_key().await?;
        let mut iv = [0u8; 12];
        web_sys::window()
            .ok_or_else(|| StorageError("no window".into()))?
            .crypto()
            .map_err(crypto_fail("WebCrypto is not available"))?
            .get_random_values_with_u8_array(&mut iv)
            .map_err(crypto_fail("no random numbers for the token"))?;
        let params = web_sys::AesGcmParams::new("AES-GCM", &js_sys::Uint8Array::from(&iv[..]));
        let plain = token.as_bytes();
        let promise = subtle()?
            .encrypt_with_object_and_u8_array(&params, &key, plain)
            .map_err(crypto_fail("cannot encrypt the token"))?;
        let data = JsFuture::from(promise)
            .await
            .map_err(crypto_fail("cannot encrypt the token"))?;
        Ok(SealedToken {
            iv: hex(&iv),
            data: hex(&js_sys::Uint8Array::new(&data).to_vec()),
        })
    }

    /// The token `sealed` holds.
    ///
    /// # Errors
    /// The key is gone (site data partly cleared) or the ciphertext is corrupt: the message
    /// says to enter the token again.
    pub(crate) async fn unseal(&self, sealed: &SealedToken) -> Result<String> {
        let again = || {
            StorageError(
                "a stored edge API token cannot be decrypted (its key is gone); enter it again on Profiles"
                    .into(),
            )
        };
        let key = self.stored_token_key().await?.ok_or_else(again)?;
        let iv = unhex(&sealed.iv)?;
        let data = unhex(&sealed.data)?;
        let params = web_sys::AesGcmParams::new("AES-GCM", &js_sys::Uint8Array::from(&iv[..]));
        let promise = subtle()?
            .decrypt_with_object_and_u8_array(&params, &key, &data)
            .map_err(|_| again())?;
        let plain = JsFuture::from(promise).await.map_err(|_| again())?;
        String::from_utf8(js_sys::Uint8Array::new(&plain).to_vec()).map_err(|_| again())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(unhex("000fff").unwrap(), vec![0, 15, 255]);
        assert!(unhex("0g").is_err());
        assert!(unhex("abc").is_err());
    }
}
